package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Keys of the credentials Secret a MigStorage's credsSecretRef names, as the
// MTC controller reads them (mig-controller pkg/cloudprovider). The
// controller derives Velero's own secret (key "cloud") from these.
const (
	KeyAWSAccessKeyID     = "aws-access-key-id"
	KeyAWSSecretAccessKey = "aws-secret-access-key"
	KeyGCPCredentials     = "gcp-credentials"
	KeyAzureCredentials   = "azure-credentials"
)

// Azure credential variables (an env file, as Velero's Azure plugin reads it).
const (
	AzureTenantID       = "AZURE_TENANT_ID"
	AzureSubscriptionID = "AZURE_SUBSCRIPTION_ID"
	AzureClientID       = "AZURE_CLIENT_ID"
	AzureClientSecret   = "AZURE_CLIENT_SECRET"
	AzureCloudName      = "AZURE_CLOUD_NAME"
	AzureResourceGroup  = "AZURE_RESOURCE_GROUP"
)

// Credentials are the Secret data for a provider. They are secret: no
// method returns or formats their values.
type Credentials struct {
	Data map[string][]byte
	// Source says where they came from ("file x", "environment"), for messages.
	Source string
	// Warnings do not block.
	Warnings []string
}

// Keys lists the Secret keys the credentials fill, sorted (never values).
func (c *Credentials) Keys() []string {
	keys := make([]string, 0, len(c.Data))
	for k := range c.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MaxCredentialBytes bounds a credentials input: a wrong path (a tarball)
// should fail rather than be stored.
const MaxCredentialBytes = 256 << 10

// ParseCredentials reads the credentials of provider from data: an AWS
// shared credentials file (profile's aws_access_key_id and
// aws_secret_access_key; Velero's "cloud" file has the same format), a
// Google service-account JSON key, or an Azure env file (KEY=VALUE lines with
// AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID, AZURE_CLIENT_ID,
// AZURE_CLIENT_SECRET, optionally AZURE_CLOUD_NAME and AZURE_RESOURCE_GROUP).
// Errors never quote the data.
func ParseCredentials(provider string, data []byte, profile string) (*Credentials, error) {
	if len(data) > MaxCredentialBytes {
		return nil, fmt.Errorf("larger than %d KiB: not a credentials file", MaxCredentialBytes>>10)
	}
	switch provider {
	case ProviderAWS, ProviderGenericS3:
		return parseAWS(data, profile)
	case ProviderGCP:
		if err := checkGCPKey(data); err != nil {
			return nil, err
		}
		return &Credentials{Data: map[string][]byte{KeyGCPCredentials: data}}, nil
	case ProviderAzure:
		vars, err := parseEnvFile(data)
		if err != nil {
			return nil, err
		}
		return azureCredentials(vars)
	}
	return nil, fmt.Errorf("unknown provider %q", provider)
}

// CredentialsFromEnv reads the provider's credentials from the environment.
func CredentialsFromEnv(provider string, getenv func(string) string) (*Credentials, error) {
	switch provider {
	case ProviderAWS, ProviderGenericS3:
		return awsFromEnv(getenv)
	case ProviderAzure:
		return azureFromEnv(getenv)
	case ProviderGCP:
		return nil, errors.New("gcp needs --credentials-file with a service-account JSON key")
	}
	return nil, fmt.Errorf("unknown provider %q", provider)
}

func parseAWS(data []byte, profile string) (*Credentials, error) {
	if profile == "" {
		profile = "default"
	}
	sections := map[string]map[string]string{}
	section := "default" // keys before any section header
	var found []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(strings.TrimPrefix(strings.Trim(line, "[]"), "profile "))
			found = append(found, section)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d is neither a [profile] header nor key = value", n)
		}
		if sections[section] == nil {
			sections[section] = map[string]string{}
		}
		sections[section][strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	keys, ok := sections[profile]
	if !ok {
		sort.Strings(found)
		return nil, fmt.Errorf("no [%s] profile (profiles found: %s); choose one with --profile", profile, strings.Join(found, ", "))
	}
	id, secret := keys["aws_access_key_id"], keys["aws_secret_access_key"]
	if id == "" || secret == "" {
		return nil, fmt.Errorf("profile [%s] lacks aws_access_key_id or aws_secret_access_key", profile)
	}
	c, err := awsCredentials(id, secret)
	if err != nil {
		return nil, err
	}
	if keys["aws_session_token"] != "" {
		c.Warnings = append(c.Warnings, "the profile has an aws_session_token: MTC stores only the key pair, so temporary (STS) credentials will not work; use an IAM user's long-lived keys")
	}
	return c, nil
}

// awsFromEnv reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
func awsFromEnv(getenv func(string) string) (*Credentials, error) {
	id, secret := strings.TrimSpace(getenv("AWS_ACCESS_KEY_ID")), strings.TrimSpace(getenv("AWS_SECRET_ACCESS_KEY"))
	if id == "" || secret == "" {
		return nil, errors.New("no credentials: pass --credentials-file, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (never on the command line)")
	}
	c, err := awsCredentials(id, secret)
	if err != nil {
		return nil, fmt.Errorf("environment: %w", err)
	}
	c.Source = "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"
	if getenv("AWS_SESSION_TOKEN") != "" {
		c.Warnings = append(c.Warnings, "AWS_SESSION_TOKEN is set: MTC stores only the key pair, so temporary (STS) credentials will not work")
	}
	return c, nil
}

func awsCredentials(id, secret string) (*Credentials, error) {
	if !printable(id) || !printable(secret) {
		return nil, errors.New("the access key id or secret access key holds whitespace or non-printable characters")
	}
	return &Credentials{Data: map[string][]byte{
		KeyAWSAccessKeyID:     []byte(id),
		KeyAWSSecretAccessKey: []byte(secret),
	}}, nil
}

func printable(s string) bool {
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return s != ""
}

func checkGCPKey(data []byte) error {
	var key struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(data, &key); err != nil {
		return errors.New("not a JSON service-account key (download one with 'gcloud iam service-accounts keys create')")
	}
	if key.Type != "service_account" {
		return fmt.Errorf("the key's type is %q, not service_account: Velero needs a service-account key", key.Type)
	}
	var missing []string
	if key.ClientEmail == "" {
		missing = append(missing, "client_email")
	}
	if key.PrivateKey == "" {
		missing = append(missing, "private_key")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the service-account key lacks %s", strings.Join(missing, ", "))
	}
	return nil
}

var azureRequired = []string{AzureTenantID, AzureSubscriptionID, AzureClientID, AzureClientSecret}

// azureFromEnv reads the AZURE_* variables from the environment.
func azureFromEnv(getenv func(string) string) (*Credentials, error) {
	vars := map[string]string{}
	for _, k := range append(append([]string{}, azureRequired...), AzureCloudName, AzureResourceGroup) {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			vars[k] = v
		}
	}
	if len(vars) == 0 {
		return nil, fmt.Errorf("no credentials: pass --credentials-file, or set %s in the environment", strings.Join(azureRequired, ", "))
	}
	c, err := azureCredentials(vars)
	if err != nil {
		return nil, fmt.Errorf("environment: %w", err)
	}
	c.Source = "environment (AZURE_*)"
	return c, nil
}

func azureCredentials(vars map[string]string) (*Credentials, error) {
	var missing []string
	for _, k := range azureRequired {
		if vars[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return &Credentials{Data: map[string][]byte{KeyAzureCredentials: formatEnvFile(vars)}}, nil
}

// parseEnvFile reads KEY=VALUE lines (optional "export ", optional single or
// double quotes, # comments), the format the controller parses.
func parseEnvFile(data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("line %d is not KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, sc.Err()
}

// formatEnvFile writes vars sorted, single-quoted (literal for the
// controller's env parser) unless the value holds a single quote.
func formatEnvFile(vars map[string]string) []byte {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		v := vars[k]
		if strings.Contains(v, "'") {
			fmt.Fprintf(&b, "%s=%s\n", k, v)
		} else {
			fmt.Fprintf(&b, "%s='%s'\n", k, v)
		}
	}
	return b.Bytes()
}
