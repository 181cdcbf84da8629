package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// Advice turns an error from the API machinery into one line a user can act
// on, keeping the original text after it. Errors it does not recognise are
// returned unchanged.
func Advice(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if hint := hintFor(err); hint != "" && !strings.Contains(msg, hint) {
		return msg + "\n  hint: " + hint
	}
	return msg
}

func hintFor(err error) string {
	var status apierrors.APIStatus
	var noMatch *meta.NoKindMatchError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &noMatch), meta.IsNoMatchError(err):
		return "the cluster does not serve this kind: is MTC (or Velero/Karmada) installed there, and is its CRD present?"
	case errors.As(err, &unknownAuthority), strings.Contains(err.Error(), "certificate signed by unknown authority"):
		return "the server's certificate is not signed by a CA we trust: set the MigCluster's caBundle (or --certificate-authority), or use --insecure-skip-tls-verify only if you accept the risk"
	case errors.As(err, &hostnameErr), errors.As(err, &certInvalid):
		return "the server's certificate does not match its URL or has expired: check the URL and the certificate"
	case errors.As(err, &status):
		return statusHint(err, status)
	case isConnRefused(err):
		return "nothing answers at that address: check the URL/port and that the API server is running"
	case isDNS(err):
		return "the host name does not resolve: check the URL"
	}
	return ""
}

func statusHint(err error, status apierrors.APIStatus) string {
	switch {
	case apierrors.IsNotFound(err):
		d := status.Status().Details
		if d != nil && d.Name != "" {
			return fmt.Sprintf("%s %q does not exist: check the name and the namespace (-n)", kindOf(d.Kind, d.Group), d.Name)
		}
		return "the object does not exist: check the name and the namespace (-n)"
	case apierrors.IsForbidden(err):
		return "your credentials lack this permission: ask a cluster admin for the verb and resource named above (kubectl auth can-i can confirm)"
	case apierrors.IsUnauthorized(err):
		return "the token or certificate was rejected: log in again, or refresh the MigCluster's service-account token"
	case apierrors.IsConflict(err):
		return "someone else changed the object meanwhile: run the command again"
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return "the API server timed out: retry, or raise --request-timeout"
	}
	return ""
}

func kindOf(kind, group string) string {
	if group == "" {
		return kind
	}
	return kind + "." + group
}

func isConnRefused(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var ue *url.Error
	return errors.As(err, &ue) && strings.Contains(ue.Error(), "connection refused")
}

func isDNS(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// PrintError writes err for a person: usage errors point at --help, API
// errors get a hint. name is the command path, e.g. "kubectl mig plan create".
func PrintError(w io.Writer, name string, err error) {
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return // the command already reported its outcome
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "error: %s\nSee '%s --help' for usage.\n", ue.Msg, name)
		return
	}
	fmt.Fprintf(w, "error: %s\n", Advice(err))
}
