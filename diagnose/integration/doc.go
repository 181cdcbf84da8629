// Package integration runs diagnose against real API servers (test/testenv):
// every case of internal/casetest is loaded as a scenario into a host and a
// source cluster, diagnosed live, and compared with the findings the same
// case gives from an MTC must-gather.
package integration
