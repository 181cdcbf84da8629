package redact

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestTrigger(t *testing.T) {
	words := []string{"token", "passw", "akia", "he", "she", "hers"}
	tr := newTrigger(words, make([]kind, len(words)))
	tests := []struct {
		in   string
		want bool
	}{
		{"nothing to see here", true}, // "he" in "here"
		{"plain line", false},
		{"TOKEN=1", true},
		{"xPaSsWord", true},
		{"ushers", true},
		{"tok en", false},
		{"", false},
		{"AKIAIOSFODNN7EXAMPLE", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := tr.hit([]byte(tt.in)); got != tt.want {
				t.Errorf("hit(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	r := New("s3cr3t-literal-value")
	tests := []struct {
		name, in, want string
	}{
		{"no secret", "level=info msg=\"Backup completed\"", "level=info msg=\"Backup completed\""},
		{"env assignment", "RSYNC_PASSWORD=hunter2hunter2 rsync -a", "RSYNC_PASSWORD=<redacted> rsync -a"},
		{"yaml", "password: abc123", "password: <redacted>"},
		{"json", `{"user":"bob","password":"p@ss word"}`, `{"user":"bob","password":"<redacted>"}`},
		{"escaped json", `msg="{\"token\":\"abc\"}"`, `msg="{\"token\":\"<redacted>\"}"`},
		{"flag", "--token=sha256~abcdef --insecure", "--token=<redacted> --insecure"},
		{"bearer", "Authorization: Bearer eyJhbGciOi.abc-def_123456", "Authorization: Bearer <redacted>"},
		{"basic", "authorization: Basic dXNlcjpwYXNzd29yZA==", "authorization: Basic <redacted>"},
		{"aws key id", "key AKIAIOSFODNN7EXAMPLE used", "key <redacted> used"},
		{"aws-like word kept", "xAKIAIOSFODNN7EXAMPLE akiaiosfodnn7example", "xAKIAIOSFODNN7EXAMPLE akiaiosfodnn7example"},
		{"unterminated quote", `password: "abc`, `password: "<redacted>`},
		{"empty value", `password: ""`, `password: ""`},
		{"single quotes", `password='a b'`, `password='<redacted>'`},
		{"aws secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = <redacted>"},
		{"jwt", "token eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJl end", "token <redacted> end"},
		{"url password", "s3Url: https://minio:minio123@minio.svc:9000/bucket", "s3Url: https://minio:<redacted>@minio.svc:9000/bucket"},
		{"presigned url", "GET https://s3/b/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F2024&X-Amz-Signature=abcdef0123&x=1",
			"GET https://s3/b/k?X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&x=1"},
		{"literal", "connected with s3cr3t-literal-value ok", "connected with <redacted> ok"},
		{"words only", "the token was refreshed", "the token was refreshed"},
		{"secret name kept", "secretName: my-creds", "secretName: my-creds"},
		{"counts kept", "tokens=5 passes=3", "tokens=5 passes=3"},
		{"pem", "key: |\n-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----\n",
			"key: |\n-----BEGIN PRIVATE KEY-----\n<redacted>\n-----END PRIVATE KEY-----\n"},
		{"idempotent", "password: <redacted>", "password: <redacted>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.String(tt.in); got != tt.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriter(t *testing.T) {
	r := New("literal-secret-123")
	tests := []struct {
		name, in, want string
	}{
		{"passthrough", "a\nb\n", "a\nb\n"},
		{"unterminated last line", "x\npassword=abc", "x\npassword=<redacted>"},
		{"literal", "2024-01-01T00:00:00Z using literal-secret-123\n", "2024-01-01T00:00:00Z using <redacted>\n"},
		{"bearer in log", `I0101 request.go:1] curl -H "Authorization: Bearer sha256~AbCdEf0123456789" https://api` + "\n",
			`I0101 request.go:1] curl -H "Authorization: Bearer <redacted>" https://api` + "\n"},
		{"pem across lines", "before\n-----BEGIN PRIVATE KEY-----\nMIIEv\nQIBAD\n-----END PRIVATE KEY-----\nafter\n",
			"before\n-----BEGIN PRIVATE KEY-----\n<redacted>\n-----END PRIVATE KEY-----\nafter\n"},
		{"pem unterminated", "-----BEGIN EC PRIVATE KEY-----\nabc\n", "-----BEGIN EC PRIVATE KEY-----\n<redacted>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunk := range []int{1, 3, 7, len(tt.in)} {
				var out bytes.Buffer
				w := r.NewWriter(&out)
				for i := 0; i < len(tt.in); i += chunk {
					end := min(i+chunk, len(tt.in))
					if _, err := w.Write([]byte(tt.in[i:end])); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if out.String() != tt.want {
					t.Errorf("chunk %d:\n got %q\nwant %q", chunk, out.String(), tt.want)
				}
			}
		})
	}
}

func TestWriterLongLine(t *testing.T) {
	r := New()
	// A 3 MiB line with a credential near the end: memory stays bounded and
	// the credential is still masked (it does not straddle a cut).
	line := strings.Repeat("abcdefgh ", 3<<20/9) + "password=topsecretvalue\n"
	var out bytes.Buffer
	w := r.NewWriter(&out)
	if _, err := w.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "topsecretvalue") {
		t.Error("secret leaked through a long line")
	}
	if out.Len() != len(line)-len("topsecretvalue")+len(Mask) {
		t.Errorf("length %d, want %d", out.Len(), len(line)-len("topsecretvalue")+len(Mask))
	}
}

// BenchmarkWriterClean measures the fast path: log lines with no trigger.
func BenchmarkWriterClean(b *testing.B) {
	r := New("some-known-secret-value-1", "another-known-secret-2")
	line := []byte("2024-05-01T10:00:00.123456789Z I0501 10:00:00.123 controller.go:123] Reconciling MigMigration openshift-migration/mig-1 phase=Started itinerary=Final\n")
	buf := bytes.Repeat(line, 1<<20/len(line))
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		w := r.NewWriter(discard{})
		_, _ = w.Write(buf)
		_ = w.Close()
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestTriggerEach(t *testing.T) {
	words := []string{"he", "she", "hers"}
	tr := newTrigger(words, []kind{kindKV, kindAuth, kindJWT})
	var got []string
	tr.each([]byte("ushers"), func(end int, k kind) { got = append(got, fmt.Sprint(end, ":", k)) })
	// "she" ends at 4 together with "he" (kinds KV|Auth), "hers" at 6.
	if want := []string{"4:3", "6:8"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestTriggerClean: the four-way scan agrees with find on every cut.
func TestTriggerClean(t *testing.T) {
	r := New("literal-secret-9")
	line := "2024-05-01T10:00:00Z plain log line without anything\n"
	base := strings.Repeat(line, 100)
	for _, word := range []string{"", "Token", "eyJ", "literal-secret-9", "://"} {
		for pos := 0; pos <= len(base); pos += len(line) * 7 {
			s := base[:pos] + "x " + word + " y\n" + base[pos:]
			if got, want := r.trig.clean([]byte(s)), r.trig.find([]byte(s)) < 0; got != want {
				t.Fatalf("word %q at %d: clean=%v find says clean=%v", word, pos, got, want)
			}
		}
	}
}

func TestWriterClose(t *testing.T) {
	var out bytes.Buffer
	w := New().NewWriter(&out)
	if _, err := w.Write([]byte("a\nb")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil || out.String() != "a\nb" {
		t.Fatalf("close: %v, %q", err, out.String())
	}
	if err := w.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := w.Write([]byte("late")); err == nil {
		t.Error("write after close accepted")
	}
}

// TestLongLiterals: a cluster's worth of service-account tokens keeps the
// trigger table small (only their first bytes are words) and every token
// is still masked whole, a near-miss sharing a token's prefix is not.
func TestLongLiterals(t *testing.T) {
	var lits []string
	for i := 0; i < 200; i++ {
		lits = append(lits, fmt.Sprintf("eyTok%04d.", i)+strings.Repeat(fmt.Sprintf("%x", i), 300))
	}
	r := New(lits...)
	if size := len(r.trig.next) * 4; size > 1<<20 {
		t.Errorf("trigger table of %d KiB for 200 literals", size>>10)
	}
	for _, i := range []int{0, 57, 199} {
		in := "GET /api with token " + lits[i] + " done\n"
		got := r.String(in)
		if strings.Contains(got, lits[i][literalTrigger:literalTrigger+40]) || !strings.Contains(got, Mask) {
			t.Errorf("literal %d not masked: %.80q", i, got)
		}
	}
	near := lits[3][:literalTrigger] + "different-value-that-is-not-secret"
	if got := r.String("value " + near + "\n"); !strings.Contains(got, near) {
		t.Errorf("near-miss masked: %q", got)
	}
}
