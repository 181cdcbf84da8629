// Package hooks creates and lists MigHooks: an Ansible playbook run by the
// hook-runner image, or a custom image, on the source or destination cluster
// at a migration phase (the phase itself is chosen in the MigPlan). Every
// rule the controller checks is checked here first, plus that the playbook is
// YAML an Ansible runner can read.
package hooks

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/apply"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/readiness"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/refs"
)

// DefaultRunnerImage runs Ansible playbook hooks (the MTC console's default).
const DefaultRunnerImage = "quay.io/konveyor/hook-runner:latest"

// DefaultActiveDeadline is MTC's default hook deadline.
const DefaultActiveDeadline = 1800 * time.Second

// Spec is everything `hook create` needs.
type Spec struct {
	Name      string
	Namespace string
	// Playbook is the playbook's YAML (not yet base64); empty for custom.
	Playbook []byte
	Image    string
	Custom   bool
	// Target is "source" or "destination".
	Target         string
	ActiveDeadline time.Duration
}

// WithDefaults sets the runner image for playbooks.
func (s Spec) WithDefaults() Spec {
	if s.Namespace == "" {
		s.Namespace = mtc.Namespace
	}
	if !s.Custom && s.Image == "" {
		s.Image = DefaultRunnerImage
	}
	return s
}

// Validate returns every problem at once (nil when none).
func (s Spec) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, m := range validation.IsDNS1123Subdomain(s.Name) {
		add("hook name %q: %s", s.Name, m)
	}
	if s.Target != mtc.HookTargetSource && s.Target != mtc.HookTargetDestination {
		add("--target %q: must be source or destination (the cluster the hook runs on)", s.Target)
	}
	switch {
	case s.Custom && len(s.Playbook) > 0:
		add("--custom and --playbook are exclusive: a custom image brings its own code (MTC: InvalidCustomHook)")
	case s.Custom && s.Image == "":
		add("--custom needs --image")
	case !s.Custom && len(s.Playbook) == 0:
		add("pass --playbook FILE, or --image IMAGE --custom for a custom image (MTC: InvalidAnsibleHook)")
	}
	if s.Image != "" && !ValidImage(s.Image) {
		add("--image %q is not a valid image reference, e.g. quay.io/org/name:tag (MTC: InvalidImage)", s.Image)
	}
	if len(s.Playbook) > 0 {
		if err := CheckPlaybook(s.Playbook); err != nil {
			add("--playbook: %v", err)
		}
	}
	if s.ActiveDeadline < 0 || (s.ActiveDeadline > 0 && s.ActiveDeadline < time.Second) {
		add("--active-deadline %s: must be at least 1s", s.ActiveDeadline)
	}
	return errors.Join(errs...)
}

// CheckPlaybook checks that data is a YAML list of plays (maps), which is
// what ansible-playbook accepts.
func CheckPlaybook(data []byte) error {
	var plays []map[string]any
	if err := yaml.Unmarshal(data, &plays); err != nil {
		return fmt.Errorf("not a YAML list of plays: %w", err)
	}
	if len(plays) == 0 {
		return errors.New("the playbook holds no play")
	}
	for i, p := range plays {
		_, hasHosts := p["hosts"]
		_, imports := p["import_playbook"]
		if !hasHosts && !imports {
			return fmt.Errorf("play %d has no hosts (use hosts: localhost)", i+1)
		}
	}
	return nil
}

// Image reference grammar (the distribution reference format the
// controller checks).
var imageRE = func() *regexp.Regexp {
	const (
		alnum     = `[a-z0-9]+`
		sep       = `(?:[._]|__|[-]*)`
		component = alnum + `(?:` + sep + alnum + `)*`
		domainC   = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
		domain    = domainC + `(?:\.` + domainC + `)*(?::[0-9]+)?`
		name      = `(?:` + domain + `/)?` + component + `(?:/` + component + `)*`
		tag       = `[\w][\w.-]{0,127}`
		digest    = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}`
	)
	return regexp.MustCompile(`^` + name + `(?::` + tag + `)?(?:@` + digest + `)?$`)
}()

// ValidImage reports whether ref is an image reference the controller
// accepts.
func ValidImage(ref string) bool { return len(ref) <= 255 && imageRE.MatchString(ref) }

// Build returns the MigHook for the spec.
func Build(s Spec) *mtc.MigHook {
	h := &mtc.MigHook{
		TypeMeta:   metav1.TypeMeta{APIVersion: mtc.SchemeGroupVersion.String(), Kind: mtc.KindMigHook},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace},
		Spec: mtc.MigHookSpec{
			Custom: s.Custom, Image: s.Image, TargetCluster: s.Target,
			ActiveDeadlineSeconds: int64(s.ActiveDeadline / time.Second),
		},
	}
	if len(s.Playbook) > 0 {
		h.Spec.Playbook = base64.StdEncoding.EncodeToString(s.Playbook)
	}
	return h
}

// Create creates the MigHook. The namespace must exist; an existing hook of
// that name is an error (hooks are referenced by plans; replacing one under
// them silently would change running migrations).
func Create(ctx context.Context, host *cluster.Target, s Spec, dryRun bool) (*mtc.MigHook, error) {
	if err := apply.NamespacesExist(ctx, host.Kube, s.Namespace); err != nil {
		return nil, err
	}
	u, err := kube.ToUnstructured(Build(s))
	if err != nil {
		return nil, err
	}
	delete(u.Object, "status")
	opts := metav1.CreateOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	created, err := host.Dynamic.Resource(kube.MigHooks).Namespace(s.Namespace).Create(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("create MigHook %s/%s: %w", s.Namespace, s.Name, err)
	}
	return kube.FromUnstructured[mtc.MigHook](created)
}

// Entry is one row of `hook list`.
type Entry struct {
	Hook     mtc.MigHook
	Problems []string
	Plans    []string
	// Uses are "plan/phase" uses of the hook.
	Uses []string
}

// List returns every MigHook with the plans (and phases) using it.
func List(ctx context.Context, host *cluster.Target, ns string) ([]Entry, error) {
	list, err := kube.List[mtc.MigHook](ctx, host.Dynamic.Resource(kube.MigHooks).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigHooks in %s on the host cluster: %w", ns, err)
	}
	idx, err := refs.Plans(ctx, host.Dynamic, ns)
	if err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := make([]Entry, 0, len(list))
	for i := range list {
		e := Entry{Hook: list[i], Plans: idx.Hooks[list[i].Name], Uses: idx.HookUses[list[i].Name]}
		for _, c := range list[i].Status.Conditions.ByCategory(mtc.CategoryCritical, mtc.CategoryError, mtc.CategoryWarn) {
			e.Problems = append(e.Problems, c.Type)
		}
		out = append(out, e)
	}
	return out, nil
}

// Type is "ansible" or "custom".
func Type(h *mtc.MigHook) string {
	if h.Spec.Custom {
		return "custom"
	}
	return "ansible"
}

// Problems explains a hook's blocking conditions.
func Problems(h *mtc.MigHook, prefix string) []readiness.Explained {
	return readiness.Problems(h.Status.Conditions, prefix, h.Name)
}

// PlaybookText decodes a hook's playbook for display ("" for custom hooks).
func PlaybookText(h *mtc.MigHook) string {
	b, err := base64.StdEncoding.DecodeString(h.Spec.Playbook)
	if err != nil {
		return ""
	}
	return strings.TrimRight(string(b), "\n")
}
