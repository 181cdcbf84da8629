package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestForbiddenKindsAreSkipped: a user who may read plans and migrations
// but not MigClusters or MigStorages gets those rules reported as skipped
// ("forbidden to list ..."), never as passed, and the rest still runs.
func TestForbiddenKindsAreSkipped(t *testing.T) {
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, _ := casetest.MigrationFailed()
	dir := t.TempDir()
	if err := c.WriteScenario(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Load(ctx, dir, p.Clusters()); err != nil {
		t.Fatalf("load: %v", err)
	}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "diagnose-limited"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"migration.openshift.io"},
			Resources: []string{"migplans", "migmigrations"},
			Verbs:     []string{"get", "list"},
		}},
	}
	if _, err := p.Host.Client().RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := p.Host.EnsureServiceAccount(ctx, "default", "support", role.Name); err != nil {
		t.Fatal(err)
	}
	token, err := p.Host.ServiceAccountToken(ctx, "default", "support", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.Host.Config()
	cfg.BearerToken, cfg.CertData, cfg.KeyData, cfg.Username, cfg.Password = token, nil, nil, "", ""
	live, err := snapshot.OpenLive(ctx, snapshot.LiveConfig{Host: cfg, Remote: func(context.Context, string) (*rest.Config, error) {
		return nil, fmt.Errorf("no access to remote clusters")
	}})
	if err != nil {
		t.Fatalf("open live: %v", err)
	}
	rep := runRules(t, ctx, live, c)
	if diff := casetest.Compare(c.Want, expects(rep)); diff != "" {
		t.Fatalf("the rules that can run must still report: %s", diff)
	}
	skipped := map[string]string{}
	for _, s := range rep.Skipped {
		skipped[s.ID] = s.Reason
	}
	for _, id := range []string{"MIG0004", "MIG0013", "MIG0014"} {
		if !strings.Contains(skipped[id], "forbidden to list") {
			t.Errorf("%s: want skipped as forbidden, got %q (all skipped: %v)", id, skipped[id], rep.Skipped)
		}
	}
	if len(live.Describe().Notes) == 0 {
		t.Errorf("the unreachable source cluster should be noted")
	}
}
