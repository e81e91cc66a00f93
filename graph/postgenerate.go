//go:build ignore

// Command postgenerate runs after gqlgen (go generate) and trims the generated marshalers
// of the catalogue's activity and organisation lists, which a read may run for hundreds of
// items:
//   - the lists call marshalSliceSerially (slices.go) in place of
//     graphql.MarshalSliceConcurrently, so they cost no goroutine per item;
//   - each item's object marshaler hands gqlgen its deferred fields only when the operation
//     has some (@defer): gqlgen does nothing with none, but builds the item's path first;
//   - an activity list the database has written as JSON (portal.ListJSON), a list of events
//     or an event it has written so (events.FindEventsJSON, events.EventsBetweenJSON) is
//     written out as it is, before gqlgen collects its fields;
//   - a field that only reads a built-in scalar from its object (obj.Title, obj.GlobalID())
//     is marshalled directly, without the field context, closures and boxing gqlgen spends
//     on every field (some 8 allocations each, for hundreds of fields per list). Such a field
//     cannot fail, so it needs no error path; it passes no field middleware either, which is
//     why a field interceptor may only look at resolvers (fields that load or compute).
//
// It fails when a marshaler it expects is missing or changed, so a schema change or a new
// gqlgen cannot drop a rewrite unseen.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// lists matches the marshalers of [Activity!]!, [ActivityEdge!]!, [Organisation!]!,
// [OrganisationEdge!]! and [SearchEdge!]! (a search's hits load in one batch per kind, which
// their first node starts).
var lists = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) ` +
	`marshalN(Activity|ActivityEdge|Organisation|OrganisationEdge|SearchEdge)` +
	`2ᚕᚖgithubᚗcomᚋfritidᚋfritidᚋinternalᚋportalᚐ[A-Za-z]+ᚄ\(`)

// objects matches the object marshalers of the lists' items and connections.
var objects = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) ` +
	`_(Activity|ActivityEdge|ActivityConnection|Organisation|OrganisationEdge|OrganisationConnection)\(`)

// trivial matches a field marshaler whose value is a plain read of its object, marshalled
// as a built-in scalar. A non-null pointer is left alone: its nil is an error with a path.
var trivial = regexp.MustCompile(`(?m)^(func \(ec \*executionContext\) _\w+\(ctx context\.Context, ` +
	`field graphql\.CollectedField, obj \*?[\w.]+\) \(ret graphql\.Marshaler\) \{\n)` +
	`\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
	`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n` +
	`\t\t\treturn ec\.fieldContext_\w+\(ctx, field\)\n\t\t\},\n` +
	`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn (obj\.[\w.]+(?:\(\))?), nil\n\t\t\},\n` +
	`\t\tnil,\n\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{\n` +
	`\t\t\treturn ec\.(marshal(?:N(?:String|ID|Int|Boolean|Float)2(?:string|int|int64|bool|float64)|` +
	`O(?:String|ID|Int|Boolean|Float)2ᚖ?(?:string|int|int64|bool|float64)))\(ctx, selections, v\)\n` +
	`\t\t\},\n\t\ttrue,\n\t\t(?:true|false),\n\t\)\n\}\n`)

// jsonHeads are how the marshalers of the values the database may write as JSON begin:
// the catalogue's activity list, a list of events (events.FindEventsJSON) and an event
// (events.EventsBetweenJSON). Each is rewritten to write the database's JSON out when there
// is some (withJSON).
var jsonHeads = map[string]string{
	"ActivityConnection": "func (ec *executionContext) _ActivityConnection(ctx context.Context, sel ast.SelectionSet, " +
		"obj *portal.ActivityConnection) graphql.Marshaler {\n",
	"OrganisationConnection": "func (ec *executionContext) _OrganisationConnection(ctx context.Context, " +
		"sel ast.SelectionSet, obj *portal.OrganisationConnection) graphql.Marshaler {\n",
	"EventConnection": "func (ec *executionContext) _EventConnection(ctx context.Context, sel ast.SelectionSet, " +
		"obj *events.Connection) graphql.Marshaler {\n",
	"Event": "func (ec *executionContext) _Event(ctx context.Context, sel ast.SelectionSet, " +
		"obj *events.Event) graphql.Marshaler {\n",
}

// withJSON is a marshaler's head with the database's JSON written out when there is some.
func withJSON(head string) string {
	return head + "\tif obj.JSON != nil {\n\t\treturn rawJSON(obj.JSON)\n\t}\n"
}

// directDone matches a trivial field marshaler already rewritten (postgenerate run twice).
var directDone = regexp.MustCompile(`(?m)^\treturn ec\.marshal\w+\(ctx, field\.Selections, obj\.`)

// direct is what a trivial field marshaler becomes.
const direct = "${1}\treturn ec.${3}(ctx, field.Selections, ${2})\n}\n"

const concurrent, serial = "graphql.MarshalSliceConcurrently(", "marshalSliceSerially("

// deferred is how an object marshaler hands gqlgen its deferred fields, and onlyDeferred
// the same when there are some.
const (
	deferred = `	ec.ProcessDeferredGroup(graphql.DeferredGroup{
		Defers:   deferLabelToView,
		Path:     graphql.GetPath(ctx),
		FieldSet: deferredFieldSet,
		Context:  ctx,
	})
`
	onlyDeferred = `	if len(deferLabelToView) > 0 {
		ec.ProcessDeferredGroup(graphql.DeferredGroup{
			Defers:   deferLabelToView,
			Path:     graphql.GetPath(ctx),
			FieldSet: deferredFieldSet,
			Context:  ctx,
		})
	}
`
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "postgenerate:", err)
		os.Exit(1)
	}
}

func run() error {
	files, err := filepath.Glob("*.generated.go")
	if err != nil {
		return err
	}
	found := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		out, err := rewrite(string(src), lists, concurrent, serial, found)
		if err == nil {
			out, err = rewrite(out, objects, deferred, onlyDeferred, found)
		}
		for name, head := range jsonHeads {
			if err == nil && strings.Contains(out, head) {
				if !strings.Contains(out, withJSON(head)) {
					out = strings.Replace(out, head, withJSON(head), 1)
				}
				found["json "+name] = true
			}
		}
		if err == nil {
			out, err = lazySchema(out, found)
		}
		if err == nil {
			n := len(trivial.FindAllStringIndex(out, -1))
			out = trivial.ReplaceAllString(out, direct)
			found["trivial"] = found["trivial"] || n > 0 || directDone.MatchString(out)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if out != string(src) {
			if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
				return err
			}
		}
	}
	for _, name := range []string{"Activity", "ActivityEdge", "Organisation", "OrganisationEdge", "SearchEdge"} {
		if !found["["+name+"]"] || (!found[name] && name != "SearchEdge") {
			return fmt.Errorf("no generated marshaler for %s or [%s!]!", name, name)
		}
	}
	for name := range jsonHeads {
		if !found["json "+name] {
			return fmt.Errorf("no generated marshaler for %s", name)
		}
	}
	if !found["schema"] {
		return fmt.Errorf("no generated file parses the schema: gqlgen's output has changed")
	}
	if !found["trivial"] {
		return fmt.Errorf("no field marshaler has the trivial shape: gqlgen's output has changed")
	}
	return nil
}

// The schema is parsed when it is first needed rather than when the program starts, so that
// commands that serve no GraphQL (fritid --help, migrate, seed) do not pay for it: parsing
// it is a quarter of every command's start. parsedSchema becomes a function.
const (
	eagerSchema = "var parsedSchema = gqlparser.MustLoadSchema(sources...)\n"
	onceSchema  = "var parsedSchema = sync.OnceValue(func() *ast.Schema { " +
		"return gqlparser.MustLoadSchema(sources...) })\n"
)

// lazySchema rewrites the file of src that parses the schema (see onceSchema), and notes it
// as "schema".
func lazySchema(src string, found map[string]bool) (string, error) {
	if strings.Contains(src, onceSchema) {
		found["schema"] = true
		return src, nil
	}
	if !strings.Contains(src, eagerSchema) {
		return src, nil
	}
	uses := []struct{ old, new string }{
		{"\treturn parsedSchema\n", "\treturn parsedSchema()\n"},
		{"\t\t\tparsedSchema,\n", "\t\t\tparsedSchema(),\n"},
		{"\t\"sync/atomic\"\n", "\t\"sync\"\n\t\"sync/atomic\"\n"},
	}
	for _, u := range uses {
		if strings.Count(src, u.old) != 1 {
			return "", fmt.Errorf("the schema's uses have changed: %q is not there once", u.old)
		}
		src = strings.Replace(src, u.old, u.new, 1)
	}
	if strings.Count(src, "parsedSchema") != 3 {
		return "", fmt.Errorf("the schema's uses have changed: parsedSchema is used elsewhere")
	}
	found["schema"] = true
	return strings.Replace(src, eagerSchema, onceSchema, 1), nil
}

// rewrite replaces old by new once in the body of each function of src that fn matches,
// and notes which it saw (lists as "[Name]").
func rewrite(src string, fn *regexp.Regexp, old, new string, found map[string]bool) (string, error) {
	var b strings.Builder
	rest := src
	for {
		loc := fn.FindStringSubmatchIndex(rest)
		if loc == nil {
			b.WriteString(rest)
			return b.String(), nil
		}
		name := rest[loc[2]:loc[3]]
		if fn == lists {
			name = "[" + name + "]"
		}
		b.WriteString(rest[:loc[1]])
		rest = rest[loc[1]:]
		end := strings.Index(rest, "\nfunc ")
		if end < 0 {
			end = len(rest)
		}
		body := rest[:end]
		if !strings.Contains(body, old) && !strings.Contains(body, new) {
			return "", fmt.Errorf("the marshaler of %s has changed: it has no %q", name, old)
		}
		b.WriteString(strings.Replace(body, old, new, 1))
		rest = rest[end:]
		found[name] = true
	}
}
