package casetest

import "fmt"

// Cluster, namespace and object names shared by the cases.
const (
	NS      = "openshift-migration"
	AppNS   = "app"
	Plan    = "plan1"
	Mig     = "mig1"
	DVM     = "mig1-dvm"
	Backup  = "mig1-initial-b7x2k"
	Restore = "mig1-final-r4q9z"
)

func uid(cluster, kind, ns, name string) string {
	return fmt.Sprintf(`{{ uid %q %q %q %q }}`, cluster, kind, ns, name)
}

var migUID = uid("host", "MigMigration", NS, Mig)
var planUID = uid("host", "MigPlan", NS, Plan)

func cond(typ, status, category, reason, msg string) string {
	s := fmt.Sprintf("  - type: %s\n    status: %q\n    category: %s\n    message: %q\n    lastTransitionTime: \"{{ now }}\"\n", typ, status, category, msg)
	if reason != "" {
		s += fmt.Sprintf("    reason: %s\n", reason)
	}
	return s
}

func ready(msg string) string { return cond("Ready", "True", "Required", "", msg) }

// planFiles are a Ready plan (source -> host, namespace app) and its storage.
func planFiles(planConds string) string {
	if planConds == "" {
		planConds = ready("The migration plan is ready.")
	}
	return `apiVersion: migration.openshift.io/v1alpha1
kind: MigStorage
metadata: {name: storage, namespace: ` + NS + `}
spec:
  backupStorageProvider: aws
  backupStorageConfig:
    awsBucketName: bucket
    credsSecretRef: {name: storage-creds, namespace: openshift-config}
status:
  conditions:
` + ready("The storage is ready.") + `---
apiVersion: migration.openshift.io/v1alpha1
kind: MigPlan
metadata: {name: ` + Plan + `, namespace: ` + NS + `}
spec:
  srcMigClusterRef: {name: source, namespace: ` + NS + `}
  destMigClusterRef: {name: host, namespace: ` + NS + `}
  migStorageRef: {name: storage, namespace: ` + NS + `}
  namespaces: [` + AppNS + `]
status:
  conditions:
` + planConds
}

// migration is MigMigration mig1 of plan1 with the given phase/conditions.
func migration(name string, quiesce bool, phase, conds, extra string) string {
	return fmt.Sprintf(`apiVersion: migration.openshift.io/v1alpha1
kind: MigMigration
metadata:
  name: %s
  namespace: %s
  labels: {migration.openshift.io/migplan-name: %s}
spec:
  migPlanRef: {name: %s, namespace: %s}
  stage: false
  quiescePods: %t
status:
  phase: %s
  conditions:
%s%s`, name, NS, Plan, Plan, NS, quiesce, phase, conds, extra)
}

func succeeded() string {
	return cond("Succeeded", "True", "Advisory", "Completed", "The migration has completed successfully.")
}

func failed(reason string) string {
	return cond("Failed", "True", "Advisory", reason, "The migration has failed.  See: Errors.")
}

func running(step string) string {
	return cond("Running", "True", "Advisory", step, "Step: 30/49")
}

// pod is a pod with one container per name, phase and labels.
func pod(ns, name, phase, labels string, containers ...string) string {
	s := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: %s\n  labels: {%s}\nspec:\n  containers:\n", name, ns, labels)
	for _, c := range containers {
		s += fmt.Sprintf("  - {name: %s, image: registry.example.com/%s:latest}\n", c, c)
	}
	s += fmt.Sprintf("status:\n  phase: %s\n", phase)
	state := map[string]string{
		"Running":   `{running: {startedAt: "{{ now }}"}}`,
		"Failed":    `{terminated: {exitCode: 2, reason: Error, startedAt: "{{ now }}", finishedAt: "{{ now }}"}}`,
		"Succeeded": `{terminated: {exitCode: 0, reason: Completed, startedAt: "{{ now }}", finishedAt: "{{ now }}"}}`,
	}[phase]
	if state != "" {
		s += "  containerStatuses:\n"
		for _, c := range containers {
			s += fmt.Sprintf("  - {name: %s, ready: %t, restartCount: 0, image: registry.example.com/%s:latest, imageID: \"\", state: %s}\n", c, phase == "Running", c, state)
		}
	}
	return s
}

func veleroPod(name string) string {
	return pod(NS, name, "Running", "component: velero, app.kubernetes.io/name: velero", "velero")
}

func controllerPod() string {
	return pod(NS, "migration-controller-6b7d8", "Running", "app: migration, control-plane: controller-manager", "mtc", "discovery")
}

// veleroLine is a logrus text line as Velero writes it.
func veleroLine(level, msg, fields string) string {
	return fmt.Sprintf("time=\"2024-03-26T16:30:36Z\" level=%s msg=%q %s logSource=\"pkg/controller/x.go:120\"\n", level, msg, fields)
}

func event(ns, name, kind, obj, typ, reason, msg string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Event
metadata: {name: %s, namespace: %s}
involvedObject: {kind: %s, name: %s, namespace: %s}
type: %s
reason: %s
message: %q
firstTimestamp: "{{ now }}"
lastTimestamp: "{{ now }}"
count: 1
source: {component: kubelet}
`, name, ns, kind, obj, ns, typ, reason, msg)
}

func docs(ds ...string) string {
	out := ""
	for i, d := range ds {
		if i > 0 {
			out += "---\n"
		}
		out += d
	}
	return out
}

// healthyFiles is a finished, successful final migration.
func healthyFiles() map[string]string {
	return map[string]string{
		"clusters/host/05-ns.yaml":                                         namespace(AppNS, ""),
		"clusters/source/05-ns.yaml":                                       namespace(AppNS, ""),
		"clusters/host/10-plan.yaml":                                       planFiles(""),
		"clusters/host/20-migration.yaml":                                  migration(Mig, true, "Completed", succeeded(), ""),
		"clusters/host/30-pods.yaml":                                       docs(controllerPod(), veleroPod("velero-7f9c4")),
		"clusters/source/30-pods.yaml":                                     docs(veleroPod("velero-5d2b1")),
		"clusters/host/logs/" + NS + "/migration-controller-6b7d8/mtc.log": `{"level":"info","ts":1711470637000,"logger":"migration","msg":"[RUN] (Step 49/49) Completed","migMigration":"mig1"}` + "\n",
		"clusters/host/logs/" + NS + "/velero-7f9c4/velero.log":            veleroLine("info", "Restore completed", "restore="+NS+"/"+Restore),
		"clusters/source/logs/" + NS + "/velero-5d2b1/velero.log":          veleroLine("info", "Backup completed", "backup="+NS+"/"+Backup),
	}
}

// Healthy is a migration that succeeded: no warning or error.
func Healthy() Case {
	return Case{Name: "healthy", Files: healthyFiles()}
}
