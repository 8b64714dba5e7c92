package stats

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/corridor-platform/corridor/internal/derrors"
)

// An indicator expression combines series with + - * / and numbers, e.g.
//
//	migrant_stock[sex=female] / migrant_stock[sex=total] * 100
//	(refugees[area=*, counterpart=$area] + others_in_need[area=*, counterpart=$area]) / population[sex=total]
//
// A series reference takes the dimensions of the point being evaluated
// (area, counterpart, period, sex) unless its filters say otherwise:
// sex=total|male|female, area=CODE|$counterpart|*, counterpart=CODE|$area|*|none.
// "*" sums over every value of that dimension; "$area" and "$counterpart"
// swap the roles (the refugees *from* an area are those whose counterpart
// is the area). Expressions are parsed into a tree and evaluated by the
// program: never executed as code.

// Expr is a parsed expression.
type Expr interface{ exprNode() }

// Num is a number literal.
type Num struct{ Value float64 }

// Ref reads a series.
type Ref struct {
	Series  string
	Filters map[string]string // dimension → value
	Pos     int
}

// Binary is left op right.
type Binary struct {
	Op          byte
	Left, Right Expr
}

func (Num) exprNode()    {}
func (Ref) exprNode()    {}
func (Binary) exprNode() {}

// ExprError points at the token where an expression is wrong. It wraps
// derrors.Invalid.
type ExprError struct {
	Pos    int // byte offset, 0-based
	Token  string
	Reason string
}

func (e *ExprError) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("expression, at position %d: %s", e.Pos+1, e.Reason)
	}
	return fmt.Sprintf("expression, at position %d (%q): %s", e.Pos+1, e.Token, e.Reason)
}
func (e *ExprError) Unwrap() error         { return derrors.Invalid }
func (e *ExprError) PublicMessage() string { return e.Error() }

type token struct {
	kind byte // 'i' ident, 'n' number, 'v' $variable, or the operator/punctuation itself, 0 = end
	text string
	pos  int
}

func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case strings.IndexByte("+-*/()[],=", c) >= 0:
			out = append(out, token{kind: c, text: string(c), pos: i})
			i++
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
				j++
			}
			out = append(out, token{kind: 'n', text: s[i:j], pos: i})
			i = j
		case c == '$' || c < 0x80 && (unicode.IsLetter(rune(c)) || c == '_'):
			j := i + 1
			for j < len(s) && s[j] < 0x80 && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_' || s[j] == '-') {
				j++
			}
			kind := byte('i')
			if c == '$' {
				kind = 'v'
			}
			out = append(out, token{kind: kind, text: s[i:j], pos: i})
			i = j
		default:
			return nil, &ExprError{Pos: i, Token: string(s[i]), Reason: "unexpected character"}
		}
	}
	return append(out, token{kind: 0, pos: len(s)}), nil
}

type parser struct {
	toks  []token
	i     int
	known func(string) bool
}

// Parse parses an expression. known, when not nil, says whether a series
// code exists; an unknown series is an error pointing at it.
func Parse(s string, known func(string) bool) (Expr, error) {
	if len(s) > 2000 {
		return nil, &ExprError{Pos: 2000, Reason: "longer than 2000 characters"}
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, known: known}
	e, err := p.sum(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, &ExprError{Pos: t.pos, Token: t.text, Reason: "expected an operator or the end"}
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) sum(depth int) (Expr, error) {
	if depth > 50 {
		return nil, &ExprError{Pos: p.peek().pos, Reason: "nested too deeply"}
	}
	left, err := p.product(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == '+' || p.peek().kind == '-' {
		op := p.next().kind
		right, err := p.product(depth)
		if err != nil {
			return nil, err
		}
		left = Binary{Op: op, Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) product(depth int) (Expr, error) {
	left, err := p.operand(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == '*' || p.peek().kind == '/' {
		op := p.next().kind
		right, err := p.operand(depth)
		if err != nil {
			return nil, err
		}
		left = Binary{Op: op, Left: left, Right: right}
	}
	return left, nil
}

var filterValues = map[string]func(string) bool{
	"sex":         func(v string) bool { return v == SexTotal || v == SexMale || v == SexFemale },
	"area":        func(v string) bool { return v == "*" || v == "$counterpart" || isCode(v) },
	"counterpart": func(v string) bool { return v == "*" || v == "$area" || v == "none" || isCode(v) },
	// missing=0 counts a missing value as zero: for a category a source
	// began to publish later (UNHCR's others_in_need, from 2018), where
	// earlier years had nobody in it by definition.
	"missing": func(v string) bool { return v == "0" },
}

func isCode(v string) bool {
	if v == "" || len(v) > 12 {
		return false
	}
	for _, c := range v {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (p *parser) operand(depth int) (Expr, error) {
	t := p.next()
	switch t.kind {
	case 'n':
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, &ExprError{Pos: t.pos, Token: t.text, Reason: "not a number"}
		}
		return Num{Value: v}, nil
	case '(':
		e, err := p.sum(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != ')' {
			return nil, &ExprError{Pos: c.pos, Token: c.text, Reason: "expected ')'"}
		}
		return e, nil
	case '-':
		e, err := p.operand(depth + 1)
		if err != nil {
			return nil, err
		}
		return Binary{Op: '-', Left: Num{}, Right: e}, nil
	case 'i':
		if p.known != nil && !p.known(t.text) {
			return nil, &ExprError{Pos: t.pos, Token: t.text, Reason: "no series with this code"}
		}
		ref := Ref{Series: t.text, Filters: map[string]string{}, Pos: t.pos}
		if p.peek().kind == '[' {
			p.next()
			if err := p.filters(&ref); err != nil {
				return nil, err
			}
		}
		return ref, nil
	case 0:
		return nil, &ExprError{Pos: t.pos, Reason: "the expression ends where a number, a series or '(' is expected"}
	}
	return nil, &ExprError{Pos: t.pos, Token: t.text, Reason: "expected a number, a series or '('"}
}

func (p *parser) filters(ref *Ref) error {
	for {
		k := p.next()
		check, ok := filterValues[k.text]
		if k.kind != 'i' || !ok {
			return &ExprError{Pos: k.pos, Token: k.text, Reason: "expected a filter: sex, area, counterpart or missing"}
		}
		if _, dup := ref.Filters[k.text]; dup {
			return &ExprError{Pos: k.pos, Token: k.text, Reason: "filter given twice"}
		}
		if eq := p.next(); eq.kind != '=' {
			return &ExprError{Pos: eq.pos, Token: eq.text, Reason: "expected '='"}
		}
		v := p.next()
		val := v.text
		if v.kind == '*' {
			val = "*"
		}
		if (v.kind != 'i' && v.kind != 'v' && v.kind != '*' && v.kind != 'n') || !check(val) {
			return &ExprError{Pos: v.pos, Token: v.text, Reason: "not a value for " + k.text}
		}
		ref.Filters[k.text] = val
		switch sep := p.next(); sep.kind {
		case ',':
		case ']':
			return nil
		default:
			return &ExprError{Pos: sep.pos, Token: sep.text, Reason: "expected ',' or ']'"}
		}
	}
}

// Point is where an expression is evaluated.
type Point struct {
	Area, Counterpart, Period, Sex string
}

// Lookup returns the value of a series at a point after applying a
// reference's filters; ok is false when the value is missing.
type Lookup func(series string, filters map[string]string, at Point) (value float64, ok bool, err error)

// Eval evaluates an expression at a point. A missing operand makes the
// result missing (ok false), and so does a division by zero: never a zero
// or an infinity passed off as a figure.
func Eval(e Expr, at Point, look Lookup) (float64, bool, error) {
	switch n := e.(type) {
	case Num:
		return n.Value, true, nil
	case Ref:
		v, ok, err := look(n.Series, n.Filters, at)
		if err == nil && !ok && n.Filters["missing"] == "0" {
			return 0, true, nil
		}
		return v, ok, err
	case Binary:
		l, ok, err := Eval(n.Left, at, look)
		if err != nil || !ok {
			return 0, false, err
		}
		r, ok, err := Eval(n.Right, at, look)
		if err != nil || !ok {
			return 0, false, err
		}
		switch n.Op {
		case '+':
			return l + r, true, nil
		case '-':
			return l - r, true, nil
		case '*':
			return l * r, true, nil
		case '/':
			if r == 0 {
				return 0, false, nil
			}
			return l / r, true, nil
		}
	}
	return 0, false, fmt.Errorf("stats: unknown expression node %T", e)
}

// Refs lists the series references of an expression.
func Refs(e Expr) []Ref {
	switch n := e.(type) {
	case Ref:
		return []Ref{n}
	case Binary:
		return append(Refs(n.Left), Refs(n.Right)...)
	}
	return nil
}
