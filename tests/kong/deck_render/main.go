// deckrender: decK's state-file template step, restated so tests can render kong.yml exactly as decK does.
//
// This program restates renderTemplate, getPrefixedEnvVar and the leading-whitespace check of
// readContent from decK's file/readfile.go (Kong/deck; today Kong/go-database-reconciler
// pkg/file/readfile.go and pkg/file/template.go), licensed Apache-2.0, Copyright Kong Inc.
// decK reads a state file (kong.yml), renders the whole raw text as a Go text/template with the
// delimiters "${{" and "}}" and the functions env/toBool/toInt/toFloat/indent, and only then
// parses the result as YAML. Changes from the original: reads stdin, writes the rendered text to
// stdout; the mocked-env variant and the JSON-schema step that follows are left out.
// gatewayc's tests add one mode: with --json, the rendered text is then read as decK reads it
// (sigs.k8s.io/yaml, decK's YAML reader: go-yaml v2 to JSON) and printed as JSON, so that a test
// sees the values decK sees.
//
// Usage: deckrender [--json] < kong.yml > rendered   (exit 1 and a message on stderr on a decK error)
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

const envVarPrefix = "DECK_"

func getPrefixedEnvVar(key string) (string, error) {
	if !strings.HasPrefix(key, envVarPrefix) {
		return "", fmt.Errorf("environment variables in the state file must "+
			"be prefixed with 'DECK_', found: '%s'", key)
	}
	value, exists := os.LookupEnv(key)
	if !exists {
		return "", fmt.Errorf("environment variable '%s' present in state file but not set", key)
	}
	return value, nil
}

func toBool(key string) (bool, error)     { return strconv.ParseBool(key) }
func toInt(key string) (int, error)       { return strconv.Atoi(key) }
func toFloat(key string) (float64, error) { return strconv.ParseFloat(key, 64) }

func indent(spaces int, v string) string {
	pad := strings.Repeat(" ", spaces)
	return strings.Replace(v, "\n", "\n"+pad, -1)
}

func renderTemplate(content string) (string, error) {
	t := template.New("state").Funcs(template.FuncMap{
		"env":     getPrefixedEnvVar,
		"toBool":  toBool,
		"toInt":   toInt,
		"toFloat": toFloat,
		"indent":  indent,
	}).Delims("${{", "}}")
	t, err := t.Parse(content)
	if err != nil {
		return "", err
	}
	var buffer bytes.Buffer
	if err := t.Execute(&buffer, nil); err != nil {
		return "", err
	}
	return buffer.String(), nil
}

func main() {
	b, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "decK: reading state file:", err)
		os.Exit(1)
	}
	out, err := renderTemplate(string(b))
	if err != nil {
		fmt.Fprintln(os.Stderr, "decK: parsing file:", err)
		os.Exit(1)
	}
	// readContent: go-yaml mis-parses a file whose first character is a space (Kong/deck#578)
	if out != "" && out[0] == ' ' {
		fmt.Fprintln(os.Stderr, "decK: file must not begin with a whitespace")
		os.Exit(1)
	}
	if len(os.Args) > 1 && os.Args[1] == "--json" {
		j, err := yaml.YAMLToJSON([]byte(out))
		if err != nil {
			fmt.Fprintln(os.Stderr, "decK: reading YAML:", err)
			os.Exit(1)
		}
		os.Stdout.Write(j)
		return
	}
	os.Stdout.WriteString(out)
}
