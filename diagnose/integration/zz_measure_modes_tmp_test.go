package integration

import "github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"

var measureModes = []struct {
	name string
	set  func(*snapshot.LiveConfig)
}{{"default (before change)", func(*snapshot.LiveConfig) {}}}
