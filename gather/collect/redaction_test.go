package collect_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Values planted in the failed-dvm-rsync-pending scenario. None may appear
// anywhere in the bundle.
const (
	plantedPassword  = "Pl4nted-Secret-Passw0rd-01"
	plantedToken     = "pl4nted-api-token-9f8e7d6c"
	plantedAWSKeyID  = "AKIAPLANTEDKEY000001"
	plantedAWSSecret = "PlantedAwsSecretKey0123456789abcdefghijK"
	plantedCMPass    = "Cm-Plant3d-Db-Passw0rd"
	plantedBearer    = "BearerPlanted0123456789abcdef"
	rsyncPassword    = "Vb7rT2kqX9mPz4LwN8cJ" // the scenario's rsync client pods carry it in env
)

// TestRedaction plants secrets where support bundles leak them -- Secrets,
// a MigCluster's service-account token, S3 keys, the rsync client pod's
// RSYNC_PASSWORD, a bearer token and plain secret values in logs, a password
// in a ConfigMap, credentials in a Velero backup log -- and checks that none
// of them is anywhere in the uncompressed archive.
func TestRedaction(t *testing.T) {
	env := scenario.Start(t, "failed-dvm-rsync-pending")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	saToken := plant(t, ctx, env.Pair)
	gathertest.StartVelero(t, env.Clusters(), map[string]string{
		"BackupLog/inventory-final-initial-t8r4c": "time=now level=info msg=\"aws_secret_access_key=" + plantedAWSSecret + "\"\n" +
			"time=now level=info msg=\"key " + plantedAWSKeyID + " secret " + plantedAWSSecret + "\"\n",
	}, nil)
	_, a := gatherPair(t, env.Pair, nil)

	tarStream := uncompressed(t, a.raw)
	for name, v := range map[string]string{
		"Secret password": plantedPassword, "Secret token": plantedToken, "AWS key id": plantedAWSKeyID,
		"AWS secret key": plantedAWSSecret, "ConfigMap password": plantedCMPass, "bearer token": plantedBearer,
		"RSYNC_PASSWORD": rsyncPassword, "MigCluster SA token": saToken,
	} {
		if i := bytes.Index(tarStream, []byte(v)); i >= 0 {
			t.Errorf("%s found in the archive: ...%q...", name, tarStream[max(0, i-200):min(len(tarStream), i+len(v)+50)])
		}
	}

	// What stays is still useful: elided sizes, masked env values, and
	// the log lines around the masks.
	secrets := a.must(t, mustgather.InCluster(testenv.HostName, mustgather.NamespacedList("openshift-migration", "", "secrets")))
	if !strings.Contains(secrets, fmt.Sprintf("password: %d bytes long", len(plantedPassword))) {
		t.Errorf("planted Secret not elided the inspect way:\n%s", secrets)
	}
	pods := a.must(t, mustgather.InCluster(testenv.SourceName, mustgather.NamespacedList("inventory", "", "pods")))
	if !strings.Contains(pods, "name: RSYNC_PASSWORD\n") || !strings.Contains(pods, "value: <redacted>") {
		t.Errorf("rsync pod env not masked:\n%s", pods)
	}
	// The diagnosis taken with the bundle sees the stuck rsync pods.
	if f := a.must(t, mustgather.DiagnoseJSON); !strings.Contains(f, `"MIG0001"`) {
		t.Errorf("findings.json lacks MIG0001 (rsync client pods pending):\n%.2000s", f)
	}
	log := a.must(t, mustgather.InCluster(testenv.SourceName, mustgather.PodLog("inventory", "rsync-7n4xd", "rsync", mustgather.CurrentLog)))
	if !strings.Contains(log, "Authorization: Bearer <redacted>") || !strings.Contains(log, "password is <redacted>") {
		t.Errorf("rsync log not masked as expected:\n%s", log)
	}
}

// plant adds the secrets and returns the source cluster's MigCluster token.
func plant(t *testing.T, ctx context.Context, p *testenv.Pair) string {
	t.Helper()
	host, src := p.Host.Client(), p.Source.Client()
	ns := "openshift-migration"
	_, err := host.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "planted-creds", Namespace: ns,
			Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"stringData":{"password":"` + plantedPassword + `"}}`}},
		StringData: map[string]string{"password": plantedPassword, "token": plantedToken},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = host.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "cloud-credentials", Namespace: ns},
		StringData: map[string]string{"cloud": "[default]\naws_access_key_id=" + plantedAWSKeyID + "\naws_secret_access_key=" + plantedAWSSecret + "\n"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := host.CoreV1().Secrets(testenv.ConfigNamespace).Get(ctx, testenv.SourceTokenSecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	saToken := string(sa.Data[testenv.SATokenKey])
	_, err = host.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "planted-config", Namespace: ns},
		Data: map[string]string{
			"app.conf":   "[db]\nuser = app\ndb_password = " + plantedCMPass + "\n",
			"kubeconfig": "users:\n- name: source\n  user:\n    token: " + saToken + "\n",
			"notes":      "copied from the source cluster: " + saToken,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if err := p.Source.Kubelet().AppendLog("inventory", "rsync-7n4xd", "rsync",
		now+` curl -H "Authorization: Bearer `+plantedBearer+`" https://api.source:6443/version`,
		now+" the rsync password is "+rsyncPassword,
		now+" connecting as "+saToken); err != nil {
		t.Fatal(err)
	}
	if _, err := src.CoreV1().Pods("inventory").Get(ctx, "rsync-7n4xd", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	return saToken
}

func uncompressed(t *testing.T, raw []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
