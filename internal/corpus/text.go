package corpus

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// trackedTerms is how many of the most common nouns the generator counts
// blocks for; the manifest's common terms come from them.
const trackedTerms = 64

// nounList is every noun the generator draws, word forms last (rarest).
var nounList = uniqueFields(strings.Join(nouns, " ") + " " + strings.Join(wordForms, " "))

// Templates for shell commands, errors and code lines, per language. Their
// slots are those of the prose templates plus {Type} (a PascalCase noun),
// {snake} (a snake_case identifier), {Ident} (an exported identifier),
// {test} (a test name), {dir} (a project folder), {pkg}, {proj} and {hex}.
var (
	commandTemplates = map[string][]template{
		langGo: parseTemplates(`
go test ./...
go test -race -run {test} ./{dir}/...
go build ./...
go vet ./...
golangci-lint run ./...
make test
go test -count=1 ./{dir}`),
		langTS: parseTemplates(`
npm test
npm run build
npx tsc --noEmit
pnpm vitest run {path}
npm run lint -- --fix
npx playwright test`),
		langPy: parseTemplates(`
pytest -x tests/
pytest -k {snake} -q
python -m mypy {pkg}
ruff check .
alembic upgrade head
python -m {pkg}.cli --dry-run`),
		"": parseTemplates(`
git status
git diff --stat
git log --oneline -n 10
rg -n "{ident}" {dir}
ls -la {dir}
docker compose up -d postgres
kubectl rollout status deploy/{proj}
make migrate
git checkout -b fix/{noun}-{noun}`),
	}
	errorTemplates = map[string][]template{
		langGo: parseTemplates(`
panic: runtime error: invalid memory address or nil pointer dereference
{verb} {noun}: context deadline exceeded
pq: duplicate key value violates unique constraint "{noun}_{noun}_key"
undefined: {ident}
cannot use {noun} (variable of type *{Type}) as {Type} value in argument to {ident}
dial tcp 127.0.0.1:5432: connect: connection refused
fatal error: concurrent map writes
sql: no rows in result set`),
		langTS: parseTemplates(`
TypeError: Cannot read properties of undefined (reading '{noun}')
error TS2345: Argument of type 'string' is not assignable to parameter of type '{Type}'
ReferenceError: {ident} is not defined
FetchError: request to http://localhost:3000/api/{noun} failed, reason: socket hang up
Warning: Each child in a list should have a unique "key" prop.`),
		langPy: parseTemplates(`
ModuleNotFoundError: No module named '{snake}'
KeyError: '{noun}'
AttributeError: 'NoneType' object has no attribute '{noun}'
sqlalchemy.exc.IntegrityError: (psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "{noun}_pkey"
AssertionError: assert {num} == {num}
ValueError: invalid literal for int() with base 10: '{noun}'`),
	}
	codeTemplates = map[string][]template{
		langGo: parseTemplates(`
func {Ident}(ctx context.Context, {noun} *{Type}) error {
	if err != nil {
		return fmt.Errorf("{verb} {noun}: %w", err)
	}
	{noun}, err := {ident}(ctx, {noun})
	defer {noun}.Close()
}
type {Type} struct {
	{Type} string ` + "`json:\"{snake}\"`" + `
	return nil
// {Ident} keeps the {noun} {adj} until the {noun} is done.
	for _, {noun} := range {noun}s {
`),
		langTS: parseTemplates(`
export async function {ident}({noun}: {Type}): Promise<{Type}> {
  const {noun} = await {ident}({noun});
  if (!{noun}) {
    throw new Error("{noun} not found");
  }
  return {noun};
}
import { {Type} } from "../{noun}";
  const [{noun}, set{Type}] = useState<{Type} | null>(null);
// keep the {noun} {adj} while the {noun} loads
`),
		langPy: parseTemplates(`
def {snake}(self, {noun}: {Type}) -> {Type}:
    if {noun} is None:
        raise ValueError("{noun} is required")
    return self.{snake}({noun})
class {Type}(BaseModel):
    {noun}: str
from {pkg}.{noun} import {Type}
    logger.info("{verb} %s", {noun})
    # the {noun} stays {adj} until the {noun} is flushed
`),
	}
)

// textGen draws every piece of text of one session from the session's
// text stream. It also notes which of the most common nouns and which
// phrases each block uses, for the manifest.
type textGen struct {
	r      *rand.Rand
	proj   *project
	cwd    string
	nounZ  *rand.Zipf
	verbZ  *rand.Zipf
	adjZ   *rand.Zipf
	phrZ   *rand.Zipf
	dirZ   *rand.Zipf
	mask   uint64 // tracked nouns in the current block
	pmask  uint64 // phrases in the current block
	termDF [trackedTerms]int64
	phrDF  [64]int64
	buf    []byte // for whole blocks
	cbuf   []byte // for code lines, which blocks may contain
}

func newTextGen(r *rand.Rand, p *project, cwd string) *textGen {
	return &textGen{
		r: r, proj: p, cwd: cwd,
		// The offsets (v) flatten the head so the top word lands in about a
		// third of the prose blocks rather than nearly all of them.
		nounZ: rand.NewZipf(r, 1.15, 6, uint64(len(nounList)-1)),
		verbZ: rand.NewZipf(r, 1.2, 3, uint64(len(verbs)-1)),
		adjZ:  rand.NewZipf(r, 1.2, 3, uint64(len(adjectives)-1)),
		phrZ:  rand.NewZipf(r, 1.3, 2, uint64(len(phrases)-1)),
		dirZ:  rand.NewZipf(r, 1.5, 1, uint64(len(p.dirs)-1)),
	}
}

// endBlock closes the text of one event: it counts the tracked words the
// block used.
func (g *textGen) endBlock() {
	for m := g.mask; m != 0; m &= m - 1 {
		g.termDF[trailingZeros(m)]++
	}
	for m := g.pmask; m != 0; m &= m - 1 {
		g.phrDF[trailingZeros(m)]++
	}
	g.mask, g.pmask = 0, 0
}

func trailingZeros(m uint64) int {
	n := 0
	for m&1 == 0 {
		m >>= 1
		n++
	}
	return n
}

func (g *textGen) noun() string {
	i := g.nounZ.Uint64()
	if i < trackedTerms {
		g.mask |= 1 << i
	}
	return nounList[i]
}

// innerNoun is a noun that ends up inside a longer token (camelCase), so
// it does not count as the word itself.
func (g *textGen) innerNoun() string { return nounList[g.nounZ.Uint64()] }

func (g *textGen) verb() string { return verbs[g.verbZ.Uint64()] }
func (g *textGen) adj() string  { return adjectives[g.adjZ.Uint64()] }

func (g *textGen) phrase() string {
	i := g.phrZ.Uint64()
	g.pmask |= 1 << i
	return phrases[i]
}

func (g *textGen) num() int { return 2 + g.r.IntN(59) }

func (g *textGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *textGen) dir() string { return g.proj.dirs[g.dirZ.Uint64()] }

func title(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// ident returns an identifier in the project language's style. Composed
// names make the long tail: most of them occur once or twice.
func (g *textGen) ident() string {
	if g.r.IntN(7) == 0 {
		return g.pick(knownIdents[g.proj.lang])
	}
	if g.proj.lang == langPy {
		return g.snake()
	}
	s := g.verb() + title(g.innerNoun())
	if g.r.IntN(3) == 0 {
		s += title(g.innerNoun())
	}
	return s
}

func (g *textGen) snake() string {
	s := g.verb() + "_" + g.noun()
	if g.r.IntN(3) == 0 {
		s += "_" + g.noun()
	}
	return s
}

// path returns a file path relative to the project root.
func (g *textGen) path() string {
	d := g.dir()
	if strings.HasPrefix(d, "migrations") || d == "sql" {
		return d + "/" + strconv.Itoa(1000 + g.r.IntN(9000))[1:] + "_" + g.verb() + "_" + g.noun() + ".sql"
	}
	switch g.proj.lang {
	case langGo:
		name := g.noun()
		if g.r.IntN(4) == 0 {
			name += "_test"
		}
		return d + "/" + name + ".go"
	case langTS:
		name := title(g.innerNoun()) + title(g.innerNoun())
		ext := ".tsx"
		if g.r.IntN(3) == 0 {
			ext = ".ts"
		}
		if g.r.IntN(5) == 0 {
			ext = ".test" + ext
		}
		return d + "/" + name + ext
	}
	name := g.noun()
	if g.r.IntN(4) == 0 {
		name = "test_" + name
	}
	return d + "/" + name + ".py"
}

// absPath is path under the project's working directory.
func (g *textGen) absPath() string { return g.cwd + "/" + g.path() }

func (g *textGen) testName() string {
	switch g.proj.lang {
	case langGo:
		return "Test" + title(g.innerNoun()) + "_" + title(g.verb())
	case langPy:
		return "test_" + g.snake()
	}
	return g.verb() + "s the " + g.noun()
}

func (g *textGen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

// expand appends t with its slots filled.
func (g *textGen) expand(b []byte, t template) []byte {
	for i := 0; i < len(t); i += 2 {
		b = append(b, t[i]...)
		switch t[i+1] {
		case "":
		case "noun":
			b = append(b, g.noun()...)
		case "verb":
			b = append(b, g.verb()...)
		case "adj":
			b = append(b, g.adj()...)
		case "phrase":
			b = append(b, g.phrase()...)
		case "ident":
			b = append(b, g.ident()...)
		case "Ident":
			b = append(b, title(g.ident())...)
		case "Type":
			b = append(b, title(g.innerNoun())...)
		case "snake":
			b = append(b, g.snake()...)
		case "num":
			b = strconv.AppendInt(b, int64(g.num()), 10)
		case "path":
			b = append(b, g.path()...)
		case "dir":
			b = append(b, g.dir()...)
		case "test":
			b = append(b, g.testName()...)
		case "pkg":
			b = append(b, g.proj.module...)
		case "proj":
			b = append(b, g.proj.name...)
		case "hex":
			b = append(b, g.hex(7)...)
		case "cmd":
			b = append(b, '`')
			b = append(b, g.command()...)
			b = append(b, '`')
		case "err":
			// Templates punctuate the sentence themselves.
			b = append(b, strings.TrimSuffix(g.errLine(), ".")...)
		default:
			panic("corpus: unknown template slot " + t[i+1])
		}
	}
	return b
}

// one expands a random template of ts into a buffer of its own: it runs
// inside the expansion of larger blocks, which own g.buf.
func (g *textGen) one(ts []template) string {
	return string(g.expand(make([]byte, 0, 96), ts[g.r.IntN(len(ts))]))
}

// command returns a shell command line for the project.
func (g *textGen) command() string {
	if g.r.IntN(5) < 2 {
		return g.one(commandTemplates[""])
	}
	return g.one(commandTemplates[g.proj.lang])
}

func (g *textGen) errLine() string { return g.one(errorTemplates[g.proj.lang]) }

// sentences appends n sentences from ts, each starting with a capital.
func (g *textGen) sentences(b []byte, ts []template, n int, sep string) []byte {
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, sep...)
		}
		start := len(b)
		b = g.expand(b, ts[g.r.IntN(len(ts))])
		if c := b[start]; c >= 'a' && c <= 'z' {
			b[start] = c - 'a' + 'A'
		}
		if c := b[len(b)-1]; c != '.' && c != '?' && c != '!' && c != ':' {
			b = append(b, '.')
		}
	}
	return b
}

// prompt returns what a user types: a request, sometimes with a pasted
// error.
func (g *textGen) prompt() string {
	b := g.sentences(g.buf[:0], promptTemplates, 1+g.r.IntN(3), " ")
	if g.r.IntN(8) == 0 {
		b = append(b, "\n\n```\n"...)
		for i, n := 0, 1+g.r.IntN(4); i < n; i++ {
			b = append(b, g.errLine()...)
			b = append(b, '\n')
		}
		b = append(b, "```"...)
	}
	g.buf = b
	return string(b)
}

// reply returns an assistant's visible text: sentences, sometimes a list.
func (g *textGen) reply() string {
	b := g.sentences(g.buf[:0], replyTemplates, 1+g.r.IntN(3), " ")
	if g.r.IntN(4) == 0 {
		b = append(b, "\n\n- "...)
		b = g.sentences(b, replyTemplates, 2+g.r.IntN(3), "\n- ")
	}
	g.buf = b
	return string(b)
}

// thinking returns an assistant's reasoning text.
func (g *textGen) thinking() string {
	g.buf = g.sentences(g.buf[:0], thinkingTemplates, 3+g.r.IntN(5), " ")
	return string(g.buf)
}

// summary returns a short session title.
func (g *textGen) summary() string {
	g.buf = g.sentences(g.buf[:0], summaryTemplates, 1, "")
	return string(g.buf)
}

// code returns n lines of source code in the project's language.
func (g *textGen) code(n int) []string {
	ts := codeTemplates[g.proj.lang]
	out := make([]string, n)
	for i := range out {
		g.cbuf = g.expand(g.cbuf[:0], ts[g.r.IntN(len(ts))])
		out[i] = string(g.cbuf)
	}
	return out
}

// output returns what cmd printed and its exit code.
func (g *textGen) output(cmd string) (string, int) {
	exit := 0
	if g.r.IntN(5) == 0 {
		exit = 1
	}
	b := g.buf[:0]
	line := func(parts ...string) {
		for _, p := range parts {
			b = append(b, p...)
		}
		b = append(b, '\n')
	}
	n := 1 + g.r.IntN(8)
	switch {
	case strings.HasPrefix(cmd, "go test"), strings.HasPrefix(cmd, "make test"):
		for i := 0; i < n; i++ {
			line("ok  \t", g.proj.module, "/", g.dir(), "\t0.", strconv.Itoa(100+g.r.IntN(900)), "s")
		}
		if exit != 0 {
			line("--- FAIL: ", g.testName(), " (0.", strconv.Itoa(10+g.r.IntN(90)), "s)")
			line("    ", g.path(), ":", strconv.Itoa(g.num()), ": ", g.errLine())
			line("FAIL\t", g.proj.module, "/", g.dir(), "\t1.", strconv.Itoa(100+g.r.IntN(900)), "s")
		}
	case strings.HasPrefix(cmd, "pytest"):
		for i := 0; i < n; i++ {
			line("tests/test_", g.noun(), ".py ", strings.Repeat(".", 1+g.r.IntN(12)), " [", strconv.Itoa((i+1)*100/n), "%]")
		}
		if exit != 0 {
			line("E   ", g.errLine())
			line("==== 1 failed, ", strconv.Itoa(g.num()), " passed in ", strconv.Itoa(1+g.r.IntN(9)), ".", strconv.Itoa(10+g.r.IntN(90)), "s ====")
		} else {
			line("==== ", strconv.Itoa(g.num()), " passed in ", strconv.Itoa(1+g.r.IntN(9)), ".", strconv.Itoa(10+g.r.IntN(90)), "s ====")
		}
	case strings.HasPrefix(cmd, "npm"), strings.HasPrefix(cmd, "pnpm"), strings.HasPrefix(cmd, "npx"):
		for i := 0; i < n; i++ {
			line(" ✓ ", g.path(), " (", strconv.Itoa(g.num()), " tests) ", strconv.Itoa(g.num()*7), "ms")
		}
		if exit != 0 {
			line(" ❯ ", g.path(), " > ", g.testName())
			line("   → ", g.errLine())
		}
	case strings.HasPrefix(cmd, "git status"):
		exit = 0
		line("On branch main")
		for i := 0; i < n; i++ {
			line("\tmodified:   ", g.path())
		}
	case strings.HasPrefix(cmd, "git log"):
		exit = 0
		for i := 0; i < n; i++ {
			line(g.hex(7), " ", title(g.verb()), " ", g.noun(), " ", g.noun())
		}
	case strings.HasPrefix(cmd, "git diff"):
		exit = 0
		for i := 0; i < n; i++ {
			line(" ", g.path(), " | ", strconv.Itoa(g.num()), " ++++--")
		}
	case strings.HasPrefix(cmd, "rg"):
		for i := 0; i < n; i++ {
			line(g.path(), ":", strconv.Itoa(g.num()), ":", g.code(1)[0])
		}
	default:
		if exit != 0 {
			line(g.errLine())
		} else {
			for i := 0; i < n; i++ {
				line(g.verb(), " ", g.noun(), " ", g.dir())
			}
		}
	}
	g.buf = b
	return strings.TrimSuffix(string(b), "\n"), exit
}
