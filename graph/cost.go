package graph

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/platform/relay"
)

// The cost model. An operation's cost is the number of fields it may resolve: every field
// counts 1, a mutation's root field 10 (it writes; that covers its payload object, whose
// fields count as any object's: once each, a payload being no list), and a field inside a
// list counts once for each item the list may hold:
//
//   - a field with a `first` or `last` argument holds that many items (its default when the
//     argument is absent, never more than relay.MaxPageSize); on a connection the count
//     applies to its `edges` and `nodes`, so `totalCount` and `pageInfo` count once;
//   - `nodes(ids: [...])` holds as many items as it is given IDs;
//   - any other list of objects is assumed to hold AssumedListSize items;
//   - lists of scalars and enums, `__typename` and introspection count as one field.
//
// Each fragment is costed once per operation and list size (memoised), so the work is
// linear in the document, however its fragments spread each other.

const (
	// AssumedListSize is the size assumed for a list of objects without paging arguments
	// (an activity's categories, a category's children ...).
	AssumedListSize = 10
	// mutationFieldCost is the cost of a mutation's root field.
	mutationFieldCost = 10
	// costCeiling caps every sum and product, so that no document overflows.
	costCeiling = math.MaxInt64 / 4
)

// sizedFields are the fields of a connection type whose length the connection's paging
// arguments set.
var sizedFields = map[string]bool{"edges": true, "nodes": true}

// coster computes the cost of one operation.
type coster struct {
	doc       *ast.QueryDocument
	vars      map[string]any
	fragments map[fragmentKey]int64
}

// fragmentKey names a fragment costed under a connection of a given page size (0: not
// directly under a connection).
type fragmentKey struct {
	name  string
	slice int64
}

// operationCost returns the cost of op in doc with vars, at most costCeiling.
func operationCost(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int64 {
	c := &coster{doc: doc, vars: vars, fragments: map[fragmentKey]int64{}}
	if op.Operation != ast.Mutation {
		return c.set(op.SelectionSet, 0)
	}
	var total int64
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || strings.HasPrefix(f.Name, "__") {
			total = addSat(total, c.selection(sel, 0))
			continue
		}
		total = addSat(total, mutationFieldCost-1+c.field(f, 0))
	}
	return total
}

// set returns the cost of a selection set; slice is the page size of the connection the
// set belongs to (0 when it is not a connection's).
func (c *coster) set(s ast.SelectionSet, slice int64) int64 {
	var total int64
	for _, sel := range s {
		total = addSat(total, c.selection(sel, slice))
		if total == costCeiling {
			break
		}
	}
	return total
}

func (c *coster) selection(sel ast.Selection, slice int64) int64 {
	switch s := sel.(type) {
	case *ast.Field:
		return c.field(s, slice)
	case *ast.InlineFragment:
		return c.set(s.SelectionSet, slice)
	case *ast.FragmentSpread:
		return c.fragment(s.Name, slice)
	}
	return 0
}

// fragment returns the memoised cost of the named fragment.
func (c *coster) fragment(name string, slice int64) int64 {
	key := fragmentKey{name, slice}
	if v, ok := c.fragments[key]; ok {
		return v
	}
	def := c.doc.Fragments.ForName(name)
	if def == nil {
		return 0
	}
	c.fragments[key] = costCeiling // a cycle (validation forbids them) costs everything
	v := c.set(def.SelectionSet, slice)
	c.fragments[key] = v
	return v
}

// field returns the cost of one field and everything below it.
func (c *coster) field(f *ast.Field, slice int64) int64 {
	if f.Name == "__typename" {
		return 0
	}
	if f.Name == "__schema" || f.Name == "__type" {
		return 1 // introspection: its size is the schema's, not the client's
	}
	if len(f.SelectionSet) == 0 {
		return 1 // a scalar, an enum or a list of them
	}
	size, childSlice := int64(1), int64(0)
	n, paged := c.pageSize(f)
	switch {
	case paged && isList(f):
		size = n
	case paged:
		childSlice = n // a connection: its edges and nodes hold n items
	case slice > 0 && sizedFields[f.Name]:
		size = slice
	case isList(f):
		size = c.listSize(f)
	}
	return addSat(1, mulSat(size, c.set(f.SelectionSet, childSlice)))
}

// pageSize returns the page size a field's `first` or `last` asks for (or its default),
// and whether the field is paged at all.
func (c *coster) pageSize(f *ast.Field) (int64, bool) {
	if f.Definition == nil {
		return 0, false
	}
	if args := f.Definition.Arguments; args.ForName("first") == nil && args.ForName("last") == nil {
		return 0, false
	}
	args := f.ArgumentMap(c.vars)
	for _, name := range []string{"first", "last"} {
		if n, ok := toInt(args[name]); ok {
			return min(max(n, 0), relay.MaxPageSize), true
		}
	}
	// Absent: the resolvers' default page size is at most the largest page.
	return relay.MaxPageSize, true
}

// listSize returns how many items an unpaged list of objects may hold.
func (c *coster) listSize(f *ast.Field) int64 {
	if f.Definition != nil && f.Definition.Arguments.ForName("ids") != nil {
		if ids, ok := f.ArgumentMap(c.vars)["ids"].([]any); ok {
			return int64(len(ids))
		}
	}
	return AssumedListSize
}

// isList reports whether a field's type is a list (of whatever).
func isList(f *ast.Field) bool {
	return f.Definition != nil && f.Definition.Type != nil && f.Definition.Type.Elem != nil
}

// toInt reads an Int argument as the parser or the JSON variables give it.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

func addSat(a, b int64) int64 {
	if a+b > costCeiling || a+b < 0 {
		return costCeiling
	}
	return a + b
}

func mulSat(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCeiling/b {
		return costCeiling
	}
	return a * b
}
