package plan

import (
	"strings"
	"testing"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func validSpec() Spec {
	return Spec{
		Name: "p1", Namespace: "openshift-migration",
		Source: "source", Destination: "host", Storage: "s3",
		Namespaces: []string{"ns1", "ns2", "ns3:dest3"},
	}
}

func TestParseHook(t *testing.T) {
	tests := []struct {
		in      string
		want    Hook
		wantErr string
	}{
		{in: "PreBackup=h1", want: Hook{Phase: "PreBackup", Name: "h1"}},
		{in: "prerestore=h2,namespace=app,service-account=sa", want: Hook{Phase: "PreRestore", Name: "h2", ExecutionNamespace: "app", ServiceAccount: "sa"}},
		{in: "Odd=h", want: Hook{Phase: "Odd", Name: "h"}},
		{in: "PreBackup", wantErr: "PHASE=HOOK"},
		{in: "=h", wantErr: "PHASE=HOOK"},
		{in: "PreBackup=", wantErr: "PHASE=HOOK"},
		{in: "PreBackup=h,colour=red", wantErr: "unknown hook option"},
		{in: "PreBackup=h,namespace", wantErr: "key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseHook(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseHook = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	hook := func(phase, name string) Hook { return Hook{Phase: phase, Name: name} }
	tests := []struct {
		name     string
		edit     func(*Spec)
		codes    []string // expected error codes, in order
		warnings []string
	}{
		{name: "valid", edit: func(*Spec) {}},
		{name: "valid with hooks", edit: func(s *Spec) {
			s.Hooks = []Hook{hook("PreBackup", "a"), hook("PostBackup", "b"), hook("PreRestore", "c"), hook("PostRestore", "d")}
		}},
		{name: "bad plan name", edit: func(s *Spec) { s.Name = "My_Plan" }, codes: []string{CodeInvalidName}},
		{name: "missing source", edit: func(s *Spec) { s.Source = "" }, codes: []string{mtc.ConditionInvalidSourceClusterRef}},
		{name: "missing destination", edit: func(s *Spec) { s.Destination = "" }, codes: []string{mtc.ConditionInvalidDestinationClusterRef}},
		{name: "missing storage", edit: func(s *Spec) { s.Storage = "" }, codes: []string{mtc.ConditionInvalidStorageRef}},
		{name: "bad cluster name", edit: func(s *Spec) { s.Source = "Src!" }, codes: []string{mtc.ConditionInvalidSourceClusterRef}},
		{name: "empty namespaces", edit: func(s *Spec) { s.Namespaces = nil }, codes: []string{mtc.ConditionNamespaceListEmpty}},
		{name: "empty entry", edit: func(s *Spec) { s.Namespaces = []string{"ns1", ""} }, codes: []string{CodeInvalidNamespaceMapping}},
		{name: "two colons", edit: func(s *Spec) { s.Namespaces = []string{"a:b:c"} }, codes: []string{CodeInvalidNamespaceMapping}},
		{name: "empty destination side", edit: func(s *Spec) { s.Namespaces = []string{"a:"} }, codes: []string{CodeInvalidNamespaceMapping}},
		{name: "empty source side", edit: func(s *Spec) { s.Namespaces = []string{":b"} }, codes: []string{CodeInvalidNamespaceMapping}},
		{name: "upper case", edit: func(s *Spec) { s.Namespaces = []string{"Shop"} }, codes: []string{mtc.ConditionNamespaceNotDNSCompliant}},
		{name: "bad destination name", edit: func(s *Spec) { s.Namespaces = []string{"shop:shop.v2"} }, codes: []string{mtc.ConditionNamespaceNotDNSCompliant}},
		{name: "too long", edit: func(s *Spec) { s.Namespaces = []string{strings.Repeat("a", 64)} }, codes: []string{mtc.ConditionNamespaceNotDNSCompliant}},
		{name: "duplicate source", edit: func(s *Spec) { s.Namespaces = []string{"a", "a:b"} }, codes: []string{mtc.ConditionDuplicateNamespaceOnSourceCluster}},
		{name: "duplicate destination", edit: func(s *Spec) { s.Namespaces = []string{"a:c", "b:c"} }, codes: []string{mtc.ConditionDuplicateNamespaceOnDestinationCluster}},
		{name: "source equals other's destination", edit: func(s *Spec) { s.Namespaces = []string{"a", "b:a"} }, codes: []string{mtc.ConditionDuplicateNamespaceOnDestinationCluster}},
		{name: "intra-cluster partial mapping", edit: func(s *Spec) { s.Destination = s.Source; s.Namespaces = []string{"a", "b:c"} }, codes: []string{mtc.ConditionIntraClusterMigration}},
		{name: "intra-cluster all mapped", edit: func(s *Spec) { s.Destination = s.Source; s.Namespaces = []string{"a:x", "b:y"} }},
		{name: "intra-cluster none mapped", edit: func(s *Spec) { s.Destination = s.Source; s.Namespaces = []string{"a", "b"} }},
		{name: "long destination warns", edit: func(s *Spec) { s.Namespaces = []string{"a:" + strings.Repeat("b", 60)} },
			warnings: []string{mtc.ConditionNamespaceLengthExceeded}},
		{name: "long destination with indirect volumes", edit: func(s *Spec) {
			s.IndirectVolumes = true
			s.Namespaces = []string{"a:" + strings.Repeat("b", 60)}
		}},
		{name: "five hooks", edit: func(s *Spec) {
			s.Hooks = []Hook{hook("PreBackup", "a"), hook("PostBackup", "b"), hook("PreRestore", "c"), hook("PostRestore", "d"), hook("PostRestore", "e")}
		}, codes: []string{CodeTooManyHooks, mtc.ConditionHookPhaseDuplicate}},
		{name: "unknown phase", edit: func(s *Spec) { s.Hooks = []Hook{hook("DuringCoffee", "a")} }, codes: []string{mtc.ConditionHookPhaseUnknown}},
		{name: "duplicate phase", edit: func(s *Spec) { s.Hooks = []Hook{hook("PreBackup", "a"), hook("PreBackup", "b")} }, codes: []string{mtc.ConditionHookPhaseDuplicate}},
		{name: "bad hook name", edit: func(s *Spec) { s.Hooks = []Hook{hook("PreBackup", "Hook_1")} }, codes: []string{CodeInvalidHookName}},
		{name: "bad execution namespace", edit: func(s *Spec) { s.Hooks = []Hook{{Phase: "PreBackup", Name: "h", ExecutionNamespace: "a.b"}} },
			codes: []string{mtc.ConditionInvalidHookNSName}},
		{name: "bad service account", edit: func(s *Spec) { s.Hooks = []Hook{{Phase: "PreBackup", Name: "h", ServiceAccount: "SA"}} },
			codes: []string{mtc.ConditionInvalidHookSAName}},
		{name: "several problems at once", edit: func(s *Spec) { s.Name = ""; s.Namespaces = []string{"A", "A"} },
			codes: []string{CodeInvalidName, mtc.ConditionNamespaceNotDNSCompliant, mtc.ConditionNamespaceNotDNSCompliant,
				mtc.ConditionDuplicateNamespaceOnSourceCluster, mtc.ConditionDuplicateNamespaceOnDestinationCluster}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSpec()
			tt.edit(&s)
			ps := Validate(s.WithDefaults())
			if got := codes(ps.Errors()); strings.Join(got, ",") != strings.Join(tt.codes, ",") {
				t.Errorf("error codes = %v, want %v\n%v", got, tt.codes, ps)
			}
			if got := codes(ps.Warnings()); strings.Join(got, ",") != strings.Join(tt.warnings, ",") {
				t.Errorf("warning codes = %v, want %v", got, tt.warnings)
			}
			if (ps.Err() == nil) != (len(tt.codes) == 0) {
				t.Errorf("Err() = %v with %d errors", ps.Err(), len(tt.codes))
			}
		})
	}
}

func codes(ps Problems) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestWithDefaultsAndBuild(t *testing.T) {
	s := validSpec()
	s.Namespace = ""
	s.IndirectImages = true
	s.Hooks = []Hook{{Phase: "PreBackup", Name: "h1"}, {Phase: "PostRestore", Name: "h2", ExecutionNamespace: "app", ServiceAccount: "runner"}}
	s = s.WithDefaults()
	p := Build(s)
	if p.Namespace != mtc.Namespace || p.Kind != mtc.KindMigPlan || p.APIVersion != "migration.openshift.io/v1alpha1" {
		t.Fatalf("object meta = %s %s/%s", p.APIVersion, p.Kind, p.Namespace)
	}
	if p.Spec.SrcMigClusterRef.Name != "source" || p.Spec.DestMigClusterRef.Name != "host" || p.Spec.MigStorageRef.Name != "s3" ||
		p.Spec.SrcMigClusterRef.Namespace != mtc.Namespace {
		t.Fatalf("refs = %+v %+v %+v", p.Spec.SrcMigClusterRef, p.Spec.DestMigClusterRef, p.Spec.MigStorageRef)
	}
	if !p.Spec.IndirectImageMigration || p.Spec.IndirectVolumeMigration {
		t.Fatalf("indirect flags = %v %v", p.Spec.IndirectImageMigration, p.Spec.IndirectVolumeMigration)
	}
	h := p.Spec.Hooks
	if len(h) != 2 || h[0].ExecutionNamespace != mtc.Namespace || h[0].ServiceAccount != DefaultHookServiceAccount ||
		h[0].Reference.Name != "h1" || h[1].ExecutionNamespace != "app" || h[1].ServiceAccount != "runner" {
		t.Fatalf("hooks = %+v", h)
	}
	if strings.Join(p.Spec.Namespaces, ",") != "ns1,ns2,ns3:dest3" {
		t.Fatalf("namespaces = %v", p.Spec.Namespaces)
	}
	if n := len(ServerChecks(s)); n != 6 {
		t.Fatalf("ServerChecks = %d items, want 6", n)
	}
}

func TestInvalidErrorListsEverything(t *testing.T) {
	s := validSpec()
	s.Namespaces = nil
	s.Storage = ""
	err := Validate(s.WithDefaults()).Err()
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"nothing was created", "--storage", "--namespaces", "NamespaceListEmpty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
