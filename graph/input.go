package graph

import (
	"context"
	"iter"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// The input boundary. Every argument value of an operation, written in the document or
// sent as a variable, is looked at once before execution, so no resolver has to:
//
//   - text PostgreSQL cannot store (a NUL character, bytes that are not UTF-8) is refused;
//   - a number literal too large for Go (given to a custom scalar, which the validator
//     does not check) is refused, where gqlgen would otherwise panic reading it.
//
// Both are BAD_USER_INPUT naming the argument path, as a request error (no "data"; 400
// with application/graphql-response+json, 200 with application/json), like a variable of
// the wrong type. A custom scalar's own parse error (a Date that is not YYYY-MM-DD, say) is
// found while executing; errorPresenter makes it BAD_USER_INPUT on the argument path too.
//
// extensions.field is always the argument path as the resolver sees it ("slug",
// "input.summary", "input.texts[0].title"), whether the value came from a literal or a
// variable: see argumentField and variableField.

func init() {
	// The guard's errors are request errors, like a variable of the wrong type.
	errcode.RegisterErrorType(string(apperr.BadUserInput), errcode.KindProtocol)
}

// inputGuard is the handler extension that refuses bad argument values before execution.
type inputGuard struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = inputGuard{}

func (inputGuard) ExtensionName() string                   { return "InputGuard" }
func (inputGuard) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext returns BAD_USER_INPUT for the first bad argument value.
func (inputGuard) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	for name, v := range arguments(opCtx.Doc, opCtx.Operation) {
		if e := checkValue(ast.Path{ast.PathName(name)}, v, opCtx.Variables); e != nil {
			gerr := gqlerror.WrapPath(nil, e)
			gerr.Message = e.Error()
			errcode.Set(gerr, string(apperr.BadUserInput))
			return gerr
		}
	}
	return nil
}

// checkValue returns BAD_USER_INPUT for the first bad text or number in v, a value written
// at path, following a variable into its value.
func checkValue(path ast.Path, v *ast.Value, vars map[string]any) *apperr.Error {
	switch v.Kind {
	case ast.Variable:
		return checkVariable(path, vars[v.Raw])
	case ast.StringValue, ast.BlockValue:
		return checkText(path.String(), v.Raw)
	case ast.IntValue, ast.FloatValue:
		if _, err := v.Value(nil); err != nil {
			return apperr.Invalid(path.String(), "NumberOutOfRange", nil)
		}
	case ast.ListValue, ast.ObjectValue:
		for i, c := range v.Children {
			if e := checkValue(childPath(path, i, c.Name), c.Value, vars); e != nil {
				return e
			}
		}
	}
	return nil
}

// checkVariable is checkValue for a variable's value as decoded from JSON: strings, and
// strings inside lists and objects (keys too, for the JSON scalar).
func checkVariable(path ast.Path, v any) *apperr.Error {
	switch v := v.(type) {
	case string:
		return checkText(path.String(), v)
	case []any:
		for i, c := range v {
			if e := checkVariable(append(path, ast.PathIndex(i)), c); e != nil {
				return e
			}
		}
	case map[string]any:
		for k, c := range v {
			p := append(path, ast.PathName(k))
			if e := checkText(p.String(), k); e != nil {
				return e
			}
			if e := checkVariable(p, c); e != nil {
				return e
			}
		}
	}
	return nil
}

// childPath is path extended by a list index (name "") or an object field.
func childPath(path ast.Path, i int, name string) ast.Path {
	if name == "" {
		return append(path, ast.PathIndex(i))
	}
	return append(path, ast.PathName(name))
}

// checkText returns BAD_USER_INPUT naming field, with the reason NUL or UTF8, when s holds
// text PostgreSQL cannot store: a NUL character or bytes that are not UTF-8.
func checkText(field, s string) *apperr.Error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0:
			return apperr.Invalid(field, "TextNotStorable", nil).WithReason("NUL")
		case r == utf8.RuneError && size == 1:
			return apperr.Invalid(field, "TextNotStorable", nil).WithReason("UTF8")
		}
		i += size
	}
	return nil
}

// checkQuery is checkText for the geo feed's query parameters, named as filter fields.
func checkQuery(q url.Values) error {
	for key, vs := range q {
		for _, v := range vs {
			if e := checkText("filter."+key, v); e != nil {
				return e
			}
		}
	}
	return nil
}

// arguments yields every argument written in op, in fields and field directives, with
// its name and value; a fragment is walked once however often it is spread, so the cost
// is the document's size.
func arguments(doc *ast.QueryDocument, op *ast.OperationDefinition) iter.Seq2[string, *ast.Value] {
	return func(yield func(string, *ast.Value) bool) {
		if op == nil {
			return
		}
		w := argumentWalk{doc: doc, seen: map[string]bool{}, yield: yield}
		w.selections(op.SelectionSet)
	}
}

// argumentWalk is the state of one arguments walk; its methods return false to stop.
type argumentWalk struct {
	doc   *ast.QueryDocument
	seen  map[string]bool
	yield func(string, *ast.Value) bool
}

func (w *argumentWalk) selections(set ast.SelectionSet) bool {
	for _, sel := range set {
		ok := true
		switch s := sel.(type) {
		case *ast.Field:
			ok = w.list(s.Arguments) && w.directives(s.Directives) && w.selections(s.SelectionSet)
		case *ast.InlineFragment:
			ok = w.directives(s.Directives) && w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			ok = w.directives(s.Directives) && w.fragment(s.Name)
		}
		if !ok {
			return false
		}
	}
	return true
}

func (w *argumentWalk) fragment(name string) bool {
	if w.seen[name] || w.doc == nil {
		return true
	}
	w.seen[name] = true
	if f := w.doc.Fragments.ForName(name); f != nil {
		return w.selections(f.SelectionSet)
	}
	return true
}

func (w *argumentWalk) directives(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if !w.list(d.Arguments) {
			return false
		}
	}
	return true
}

func (w *argumentWalk) list(args ast.ArgumentList) bool {
	for _, a := range args {
		if !w.yield(a.Name, a.Value) {
			return false
		}
	}
	return true
}

// argumentField returns the argument path of an error raised while gqlgen read a field's
// arguments: its path goes on past the field's, into an argument ("input.birthDate" for
// the path issueCard.input.birthDate). Any other error's path is the field's own.
func argumentField(ctx context.Context, gerr *gqlerror.Error) (string, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || gerr == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return "", false
	}
	fp := fc.Path()
	if len(gerr.Path) <= len(fp) || !slices.Equal(gerr.Path[:len(fp)], fp) {
		return "", false
	}
	arg, ok := gerr.Path[len(fp)].(ast.PathName)
	if !ok || fc.Field.Definition.Arguments.ForName(string(arg)) == nil {
		return "", false
	}
	return gerr.Path[len(fp):].String(), true
}

// variableField returns, for the validator's error about a variable's value (its path is
// variable.<name>...: the wrong type, missing, an unknown field), the argument path where
// the operation uses the variable, and the message for what is wrong.
func variableField(ctx context.Context, gerr *gqlerror.Error) (string, string, bool) {
	if len(gerr.Path) < 2 || gerr.Path[0] != ast.PathName("variable") || !graphql.HasOperationContext(ctx) {
		return "", "", false
	}
	name, ok := gerr.Path[1].(ast.PathName)
	if !ok {
		return "", "", false
	}
	opCtx := graphql.GetOperationContext(ctx)
	at := variableUse(opCtx.Doc, opCtx.Operation, string(name))
	if at == nil {
		at = gerr.Path[1:2] // not used in an argument: name the variable
	}
	return append(at, gerr.Path[2:]...).String(), variableMessage(gerr.Message), true
}

// variableUse returns the argument path where op first uses variable name, or nil.
func variableUse(doc *ast.QueryDocument, op *ast.OperationDefinition, name string) ast.Path {
	for arg, v := range arguments(doc, op) {
		if p := findVariable(ast.Path{ast.PathName(arg)}, v, name); p != nil {
			return p
		}
	}
	return nil
}

func findVariable(path ast.Path, v *ast.Value, name string) ast.Path {
	switch v.Kind {
	case ast.Variable:
		if v.Raw == name {
			return slices.Clone(path)
		}
	case ast.ListValue, ast.ObjectValue:
		for i, c := range v.Children {
			if p := findVariable(childPath(path, i, c.Name), c.Value, name); p != nil {
				return p
			}
		}
	}
	return nil
}

// variableMessage picks the message for the validator's complaint about a variable.
func variableMessage(msg string) string {
	switch {
	case strings.HasSuffix(msg, "must be defined"), strings.HasSuffix(msg, "cannot be null"):
		return "ValueRequired"
	case strings.HasSuffix(msg, "unknown field"):
		return "FieldUnknown"
	case strings.Contains(msg, " is not a valid "), strings.HasPrefix(msg, "enums must be"):
		return "ChoiceInvalid"
	}
	return "ValueInvalid"
}
