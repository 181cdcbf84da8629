package logs

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

const (
	planUID = "plan-uid"
	migA    = "mig-a-uid"
	migB    = "mig-b-uid"
	dvmA    = "dvm-a-uid"
)

// fixtureScope: plan "shop" with migrations shop-final (A) and shop-final-2
// (B), and another plan's "other-stage"; A has DVM shop-final-x1 and
// backup shop-final-initial-k2; B has backup shop-final-2-initial-q9.
func fixtureScope(migration string) *Scope {
	st := newScopeState("shop", planUID, migration)
	created := time.Date(2024, 4, 10, 12, 0, 0, 0, time.UTC)
	st.replace(kindMigration, []objInfo{
		{Name: "shop-final", UID: migA, Plan: "shop", Created: created},
		{Name: "shop-final-2", UID: migB, Plan: "shop", Created: created.Add(time.Hour)},
		{Name: "other-stage", UID: "other-uid", Plan: "other"},
	})
	st.replace(kindDVM, []objInfo{
		{Name: "shop-final-x1", UID: dvmA, Labels: map[string]string{"migmigration": migA}},
		{Name: "other-stage-z9", UID: "dvm-other", Labels: map[string]string{"migmigration": "other-uid"}},
	})
	st.replace(kindBackup, []objInfo{
		{Name: "shop-final-initial-k2", UID: "b1", Labels: map[string]string{"migmigration": migA}},
		{Name: "shop-final-2-initial-q9", UID: "b2", Labels: map[string]string{"migmigration": migB}},
	})
	return st.Scope()
}

func TestScopeMatch(t *testing.T) {
	tests := []struct {
		name      string
		migration string
		line      string
		want      bool
	}{
		{"plan: plan name", "", `{"migPlan":"shop"}`, true},
		{"plan: first migration", "", `{"migMigration":"shop-final"}`, true},
		{"plan: second migration", "", `{"migMigration":"shop-final-2"}`, true},
		{"plan: second migration's backup", "", `backup=openshift-migration/shop-final-2-initial-q9`, true},
		{"plan: other plan's migration", "", `{"migMigration":"other-stage"}`, false},
		{"plan: other plan's DVM", "", `{"dvm":"other-stage-z9"}`, false},
		{"migration: itself", "shop-final", `{"migMigration":"shop-final"}`, true},
		{"migration: its DVM", "shop-final", `{"dvm":"shop-final-x1"}`, true},
		{"migration: its UID", "shop-final", `migmigration=mig-a-uid`, true},
		{"migration: its backup", "shop-final", `backup=openshift-migration/shop-final-initial-k2`, true},
		{"migration: its pod volume backup", "shop-final", `podvolumebackup=openshift-migration/shop-final-initial-k2-abcde`, true},
		{"migration: sibling migration", "shop-final", `{"migMigration":"shop-final-2"}`, false},
		{"migration: sibling's backup", "shop-final", `backup=openshift-migration/shop-final-2-initial-q9`, false},
		{"migration: its plan", "shop-final", `{"migPlan":"shop"}`, true},
		{"unrelated", "", `level=info msg="Checking for expired DeleteBackupRequests"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fixtureScope(tt.migration).Match(tt.line); got != tt.want {
				t.Fatalf("Match(%q) = %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}

func TestScopeChangeNotifies(t *testing.T) {
	st := newScopeState("shop", planUID, "")
	ch := st.subscribe()
	st.replace(kindMigration, []objInfo{{Name: "shop-final", UID: migA, Plan: "shop"}})
	select {
	case <-ch:
	default:
		t.Fatal("no notification for a new migration")
	}
	// A status update changes nothing the scope matches on.
	st.upsert(kindMigration, objInfo{Name: "shop-final", UID: migA, Plan: "shop", Terminal: true})
	select {
	case <-ch:
		t.Fatal("notified although the terms did not change")
	default:
	}
	if !st.Scope().Migrations[0].Terminal {
		t.Fatal("the scope did not take the update")
	}
}

func pod(ns, name string, labels map[string]string, containers ...string) *podInfo {
	p := &podInfo{Namespace: ns, Name: name, UID: types.UID(name + "-uid"), Labels: labels,
		Created: time.Date(2024, 4, 10, 13, 0, 0, 0, time.UTC)}
	for _, c := range containers {
		p.Containers = append(p.Containers, containerInfo{Name: c, Started: true, Running: true})
	}
	return p
}

func TestClassify(t *testing.T) {
	dvmLabels := func(dvm, plan string) map[string]string {
		return map[string]string{"app": mtc.DVMAppValue, "owner": "directvolumemigration", "directvolumemigration": dvm,
			mtc.MigratedByMigPlanLabel: plan}
	}
	tests := []struct {
		name      string
		migration string
		pod       *podInfo
		want      map[string]Component
	}{
		{"controller", "", pod("openshift-migration", "migration-controller-6c8d7f9b5-p9d4h",
			map[string]string{"app": "migration", "control-plane": "controller-manager"}, "mtc", "discovery"),
			map[string]Component{"mtc": Controller, "discovery": Controller}},
		{"velero", "", pod("openshift-migration", "velero-7f9b6c8d4-z6b2n",
			map[string]string{"component": "velero", "deploy": "velero"}, "velero"), map[string]Component{"velero": Velero}},
		{"node-agent", "", pod("openshift-migration", "node-agent-x2x",
			map[string]string{"component": "velero", "name": "node-agent"}, "node-agent"), map[string]Component{"node-agent": Restic}},
		{"restic", "", pod("openshift-migration", "restic-x2x", map[string]string{"name": "restic"}, "restic"),
			map[string]Component{"restic": Restic}},
		{"velero outside the MTC namespace", "", pod("other", "velero-1", map[string]string{"deploy": "velero"}, "velero"), nil},
		{"log reader", "", pod("openshift-migration", "migration-log-reader-1", map[string]string{"logreader": "mig"}, "color", "plain"), nil},
		{"registry of the plan", "", pod("openshift-migration", "registry-shop-abc",
			map[string]string{"migration-registry": "true", "migplan": planUID}, "registry"), map[string]Component{"registry": Registry}},
		{"registry of another plan", "", pod("openshift-migration", "registry-other-abc",
			map[string]string{"migration-registry": "true", "migplan": "x"}, "registry"), nil},
		{"rsync client of our DVM", "shop-final", pod("shop", "rsync-7n4xd", dvmLabels(dvmA, planUID), "rsync", "stunnel"),
			map[string]Component{"rsync": Rsync, "stunnel": Stunnel}},
		{"rsync of an unknown DVM, migration mode", "shop-final", pod("shop", "rsync-q", dvmLabels("dvm-x", planUID), "rsync"), nil},
		{"rsync of an unknown DVM of the plan, plan mode", "", pod("shop", "rsync-q", dvmLabels("dvm-x", planUID), "rsync"),
			map[string]Component{"rsync": Rsync}},
		{"stage pod of our migration", "shop-final", pod("shop", "stage-db-x",
			map[string]string{mtc.StagePodLabel: "true", "migmigration": migA, "migplan": planUID}, "sleep-0"),
			map[string]Component{"sleep-0": Stage}},
		{"stage pod of a sibling", "shop-final", pod("shop", "stage-db-y",
			map[string]string{mtc.StagePodLabel: "true", "migmigration": migB, "migplan": planUID}, "sleep-0"), nil},
		{"hook pod", "", pod("hooks", "shop-prebackup-abcde-x",
			map[string]string{"batch.kubernetes.io/job-name": "shop-prebackup-abcde"}, "shop-prebackup"),
			map[string]Component{"shop-prebackup": Hooks}},
		{"hook pod of another plan", "", pod("hooks", "shopping-prebackup-abcde-x",
			map[string]string{"job-name": "shopping-prebackup-abcde"}, "x"), nil},
		{"job that is no hook", "", pod("hooks", "shop-report-abcde-x", map[string]string{"job-name": "shop-report-abcde"}, "x"), nil},
		{"application pod", "", pod("shop", "web-1", map[string]string{"app": "web"}, "web"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.pod, fixtureScope(tt.migration), "openshift-migration")
			if len(got) != len(tt.want) {
				t.Fatalf("classify = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("classify = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestContainerFrom(t *testing.T) {
	tests := []struct {
		name        string
		status      corev1.ContainerStatus
		phase       corev1.PodPhase
		started     bool
		running     bool
		waitingText string
	}{
		{"running", corev1.ContainerStatus{State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}, corev1.PodRunning, true, true, ""},
		{"terminated", corev1.ContainerStatus{State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{}}}, corev1.PodFailed, true, false, ""},
		{"creating", corev1.ContainerStatus{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}, corev1.PodPending, false, false, "ContainerCreating"},
		{"crash loop has a previous log", corev1.ContainerStatus{RestartCount: 3, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}, corev1.PodRunning, true, false, "CrashLoopBackOff"},
		{"no status, pending pod", corev1.ContainerStatus{}, corev1.PodPending, false, false, "ContainerCreating"},
		{"no status, running pod", corev1.ContainerStatus{}, corev1.PodRunning, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ci := containerFrom("c", tt.status, tt.phase)
			if ci.Started != tt.started || ci.Running != tt.running || ci.Waiting != tt.waitingText {
				t.Fatalf("containerFrom = %+v", ci)
			}
		})
	}
}

func TestHookPodsOfAMigrationAreThoseCreatedAfterIt(t *testing.T) {
	s := fixtureScope("shop-final") // created 12:00
	p := pod("hooks", "shop-postrestore-abcde-x", map[string]string{"job-name": "shop-postrestore-abcde"}, "h")
	if classify(p, s, "openshift-migration") == nil {
		t.Fatal("a hook pod created after the migration was not recognised")
	}
	p.Created = time.Date(2024, 4, 10, 11, 0, 0, 0, time.UTC)
	if classify(p, s, "openshift-migration") != nil {
		t.Fatal("a hook pod older than the migration was taken for one of its own")
	}
}

func TestStartTime(t *testing.T) {
	started := time.Date(2024, 4, 10, 12, 0, 0, 0, time.UTC)
	planCreated := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	withMig := []objInfo{{Name: "m", UID: migA, Plan: "shop", Created: started.Add(time.Hour), Started: started}}
	tests := []struct {
		name string
		cfg  Config
		migs []objInfo
		want time.Time
	}{
		{"from the migration's start", Config{}, withMig, started.Add(-DefaultSinceMargin)},
		{"no migration: from the plan's creation", Config{}, nil, planCreated.Add(-DefaultSinceMargin)},
		{"everything", Config{AllHistory: true}, withMig, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &runner{cfg: tt.cfg, scope: newScopeState("shop", planUID, "")}
			r.scope.replace(kindMigration, tt.migs)
			res := &resolution{plan: &mtc.MigPlan{}}
			res.plan.CreationTimestamp.Time = planCreated
			if got := r.startTime(res); !got.Equal(tt.want) {
				t.Fatalf("startTime = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("since", func(t *testing.T) {
		r := &runner{cfg: Config{Since: time.Hour}, scope: newScopeState("shop", planUID, "")}
		before := time.Now().Add(-time.Hour)
		got := r.startTime(&resolution{plan: &mtc.MigPlan{}})
		if got.Before(before) || got.After(time.Now().Add(-time.Hour)) {
			t.Fatalf("startTime = %v, want an hour ago", got)
		}
	})
}

func TestGroupByPod(t *testing.T) {
	got := groupByPod([]Event{
		{Kind: ContainerWaiting, Cluster: "c", Namespace: "n", Pod: "p", Containers: []string{"a"}, Message: "ContainerCreating"},
		{Kind: ContainerWaiting, Cluster: "c", Namespace: "n", Pod: "p", Containers: []string{"b"}, Message: "ContainerCreating"},
		{Kind: ContainerWaiting, Cluster: "c", Namespace: "n", Pod: "p", Containers: []string{"c"}, Message: "ImagePullBackOff"},
		{},
	})
	if len(got) != 2 || len(got[0].Containers) != 2 || got[1].Containers[0] != "c" {
		t.Fatalf("groupByPod = %+v", got)
	}
}
