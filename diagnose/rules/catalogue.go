package rules

// Catalogue returns every rule, in ID order. IDs are stable: a rule that is
// retired keeps its number unused, and new rules take the next number.
func Catalogue() []Rule {
	return []Rule{
		rsyncPending{},    // MIG0001
		resticTimeout{},   // MIG0002
		nfsRootSquash{},   // MIG0003
		unknownCA{},       // MIG0004
		restorePartial{},  // MIG0005
		resticVerify{},    // MIG0006
		bslNotFoundRule{}, // MIG0007
		rsyncMount{},      // MIG0008
		leftQuiesced{},    // MIG0009
		dvmLeftovers{},    // MIG0010
		pvReclaim{},       // MIG0011
		planNotReady{},    // MIG0012
		clusterNotReady{}, // MIG0013
		storageNotReady{}, // MIG0014
		migrationFailed{}, // MIG0015
		hookFailed{},      // MIG0016
		networkError{},    // MIG0017
	}
}
