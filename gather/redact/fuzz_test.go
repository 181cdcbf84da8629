package redact

import (
	"bytes"
	"testing"
)

const planted = "planted-Literal-s3cret-9f3a"

// writeChunks streams in through a Writer in pieces of size chunk.
func writeChunks(t *testing.T, r *Redactor, in []byte, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	w := r.NewWriter(&out)
	for i := 0; i < len(in); i += chunk {
		if _, err := w.Write(in[i:min(i+chunk, len(in))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// FuzzWriter checks two properties on arbitrary text: a known secret value
// never survives, whatever surrounds it, and the output does not depend on
// how the input was cut into writes.
func FuzzWriter(f *testing.F) {
	f.Add([]byte("level=info msg=\"start\"\n"), []byte(" done\n"), uint8(3))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n"), []byte("\n-----END PRIVATE KEY-----\n"), uint8(1))
	f.Add([]byte("password="), []byte("\n"), uint8(7))
	f.Add([]byte("Authorization: Bearer "), []byte(""), uint8(200))
	f.Add([]byte("https://u:"), []byte("@host/\n"), uint8(5))
	// The secret on a private key's BEGIN or END line, glued to the marker
	// or beside it.
	f.Add([]byte("-----BEGIN PRIVATE KEY-----"), []byte("\nMIIbody\n-----END PRIVATE KEY-----\n"), uint8(1))
	f.Add([]byte("x "), []byte(" -----BEGIN RSA PRIVATE KEY-----\nMIIbody\n"), uint8(2))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nMIIbody\n"), []byte("-----END EC PRIVATE KEY-----\n"), uint8(3))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMIIbody\n-----END PRIVATE KEY----- "), []byte("\n"), uint8(4))
	f.Add([]byte("a -----BEGIN PRIVATE KEY-----b-----END PRIVATE KEY----- "), []byte(" -----BEGIN PRIVATE KEY-----\n"), uint8(5))
	r := New(planted)
	f.Fuzz(func(t *testing.T, prefix, suffix []byte, chunk uint8) {
		in := append(append(append([]byte{}, prefix...), planted...), suffix...)
		whole := writeChunks(t, r, in, len(in)+1)
		if bytes.Contains(whole, []byte(planted)) {
			t.Fatalf("planted secret survived: %q -> %q", in, whole)
		}
		pieces := writeChunks(t, r, in, int(chunk)%64+1)
		if !bytes.Equal(whole, pieces) {
			t.Fatalf("output depends on write sizes:\n whole %q\npieces %q", whole, pieces)
		}
	})
}

// keyMaterial stands for the body of a private key: the Redactor does not
// know it, only where it stands tells that it is secret.
const keyMaterial = "MIIEplantedKeyMaterial7c1e"

// FuzzWriterPEM plants key material and a known secret around a private
// key's markers, with arbitrary text before BEGIN (open) and after END
// (close), between BEGIN and the key material (head) and between it and
// END (tail): the key material never survives as long as nothing closes
// the key before it, the known secret never, and the output does not
// depend on how the input was cut into writes.
func FuzzWriterPEM(f *testing.F) {
	f.Add([]byte(""), []byte("\n"), []byte("\n"), []byte("\n"), uint8(0))
	f.Add([]byte("password: x "), []byte(""), []byte(""), []byte(" Authorization: Bearer "), uint8(1))
	f.Add([]byte("k: |\n    "), []byte("\n    "), []byte("\n    "), []byte("\n"), uint8(2))
	f.Add([]byte("{\"private_key\":\""), []byte("\\n"), []byte("\\n"), []byte("\\n\"}"), uint8(3))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\r\n"), []byte("\r\n"), []byte("x-----END CERTIFICATE-----\r\n"), []byte("\r\n"), uint8(4))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----"), []byte("-----BEGIN"), []byte("\n-----BEGIN EC PRIVATE KEY-----"), []byte("-----BEGIN PRIVATE KEY-----"), uint8(5))
	r := New(planted)
	f.Fuzz(func(t *testing.T, open, head, tail, close []byte, chunk uint8) {
		var in []byte
		for _, p := range [][]byte{open, []byte(planted + "-----BEGIN RSA PRIVATE KEY-----"), head,
			[]byte(keyMaterial), tail, []byte("-----END RSA PRIVATE KEY-----" + planted), close} {
			in = append(in, p...)
		}
		whole := writeChunks(t, r, in, len(in)+1)
		if bytes.Contains(whole, []byte(planted)) {
			t.Fatalf("known secret survived: %q -> %q", in, whole)
		}
		if !bytes.Contains(head, pemEndMark) && bytes.Contains(whole, []byte(keyMaterial)) {
			t.Fatalf("key material survived: %q -> %q", in, whole)
		}
		pieces := writeChunks(t, r, in, int(chunk)%64+1)
		if !bytes.Equal(whole, pieces) {
			t.Fatalf("output depends on write sizes:\n whole %q\npieces %q", whole, pieces)
		}
	})
}

// FuzzString checks that String masks the planted literal and is idempotent.
func FuzzString(f *testing.F) {
	f.Add("token: ", "\n")
	f.Add("eyJ", ".eyJabcdefgh.sig")
	r := New(planted)
	f.Fuzz(func(t *testing.T, prefix, suffix string) {
		out := r.String(prefix + planted + suffix)
		if bytes.Contains([]byte(out), []byte(planted)) {
			t.Fatalf("planted secret survived: %q", out)
		}
		if again := r.String(out); again != out {
			t.Fatalf("not idempotent:\n once %q\ntwice %q", out, again)
		}
	})
}
