package corpus

import "strings"

// The word lists are ranked: the first word of each is drawn most often.
// Ranks, not the lists' lengths, set how common a word is, so the order is
// what a developer's sessions look like: "test" and "error" everywhere,
// "tombstone" now and then.

var nouns = uniqueFields(`
test error file function config migration database server request handler
query session user cache build deploy schema table index service client
package module branch commit release endpoint timeout connection worker
queue job event log metric middleware router component state hook type
interface struct field column transaction lock retry response payload
header cookie route page form layout script pipeline container image
cluster node secret variable environment dependency version lockfile
bundle output input buffer stream channel goroutine mutex context deadline
signal process thread memory leak heap stack trace panic exception fixture
mock stub snapshot assertion coverage benchmark profile flag option
argument parameter value key map slice array list string number date
timestamp timezone locale cursor offset limit pagination filter sort
search result record row batch chunk path directory folder repo workspace
project readme docs changelog ticket issue bug regression fix patch diff
merge conflict rebase tag label owner reviewer comment message
notification email webhook callback promise future task scheduler cron
backup restore replica shard partition primary follower leader election
heartbeat health probe quota limiter throttle backoff jitter breaker proxy
gateway balancer certificate hostname port socket listener protocol
serializer parser lexer token compiler linter formatter generics closure
pointer reference allocation collector invoice payment subscription
account tenant organization permission role policy audit consent
checkout cart order inventory product price discount coupon refund
customer vendor shipment warehouse report dashboard chart widget table
tooltip dropdown sidebar navbar modal button input validation toast theme
palette font icon asset upload download export import parquet feature
model embedding vector dataset sample label epoch checkpoint gradient
tensor loss metric accuracy inference prompt tokenizer notebook dataframe
tombstone watermark backpressure idempotency debounce memoization
hydration serialization sharding quorum vacuum autovacuum tablespace
`)

var verbs = uniqueFields(`
add fix update refactor remove check run rename move handle parse validate
migrate deploy build test debug investigate revert rewrite split merge
extract inline cache retry log trace profile measure optimize simplify
clean document review rebase squash bump pin upgrade downgrade install
configure wire register mock stub skip enable disable guard sanitize
escape encode decode serialize compress flush close open reset restore
backfill seed reindex lint format typecheck bisect reproduce isolate
parallelize batch paginate memoize debounce throttle normalize dedupe
coalesce prune truncate rotate archive vendor regenerate scaffold
`)

var adjectives = uniqueFields(`
flaky failing slow broken stale missing duplicate empty concurrent async
legacy new old unused deprecated nullable optional required invalid
unexpected intermittent noisy large small cold warm hot idempotent atomic
transient persistent racy blocking lazy eager strict lenient verbose quiet
internal public private generated cached nested circular recursive
orphaned partial corrupted truncated misconfigured undocumented brittle
`)

// phrases are two-word terms that prose uses as a unit, so a phrase search
// has common targets as well as the planted needle phrase.
var phrases = []string{
	"race condition", "connection pool", "integration test", "unit test",
	"database migration", "null pointer", "rate limit", "feature flag",
	"pull request", "error handling", "type error", "memory leak",
	"code review", "load test", "health check", "stack trace", "test suite",
	"build cache", "schema change", "retry logic", "cache invalidation",
	"query plan", "foreign key", "primary key", "environment variable",
	"dependency graph", "release branch", "hot path", "edge case",
	"happy path", "access token", "refresh token", "background job",
	"file descriptor", "exit code", "dead letter", "cold start",
	"connection string", "lock contention", "time zone",
}

// prefixes are word beginnings shared by several vocabulary words, for
// prefix-search load.
var prefixes = []string{"migrat", "deploy", "config", "conn", "test", "valid", "serial", "retr"}

// Extra word forms, so the prefixes above have several completions.
var wordForms = uniqueFields(`
migrations migrated migrating migrator deployed deploying deployment
deployments configured configuring configuration connections connected
connecting tests tested testing validated validating validator
serialized serializing retried retrying retries retrieval
`)

// knownIdents are real API names that turn up in Go, TypeScript and Python
// sessions.
var knownIdents = map[string][]string{
	langGo: {"context.Context", "http.HandlerFunc", "sql.ErrNoRows", "errors.Is", "fmt.Errorf",
		"t.Run", "t.Helper", "sync.WaitGroup", "json.Unmarshal", "time.After", "os.ReadFile",
		"errgroup.Group", "db.QueryContext", "tx.Commit", "ctx.Done", "atomic.Int64"},
	langTS: {"useEffect", "useState", "useMemo", "React.FC", "Promise.all", "JSON.parse",
		"fetch", "AbortController", "zod.object", "router.push", "queryClient.invalidateQueries",
		"expect.toHaveBeenCalledWith", "vi.mock", "process.env"},
	langPy: {"__init__", "asyncio.gather", "pytest.fixture", "dataclass", "BaseModel",
		"session.commit", "df.groupby", "np.ndarray", "logging.getLogger", "typing.Optional",
		"alembic.op", "requests.get", "torch.no_grad", "pd.read_parquet"},
}

// Project languages.
const (
	langGo = "go"
	langTS = "ts"
	langPy = "py"
)

// project is one working directory that sessions run in.
type project struct {
	name   string
	lang   string
	module string
	dirs   []string
}

// projects never contain each other's names, so a --project filter on one
// name selects exactly that project.
var projects = []project{
	{"acme-api", langGo, "github.com/acme/acme-api", []string{"internal/store", "internal/http", "internal/auth", "cmd/api", "migrations", "internal/billing"}},
	{"web-dashboard", langTS, "@acme/web-dashboard", []string{"src/components", "src/pages", "src/hooks", "src/api", "tests/e2e", "src/lib"}},
	{"ml-pipeline", langPy, "ml_pipeline", []string{"ml_pipeline/features", "ml_pipeline/training", "ml_pipeline/io", "tests", "notebooks", "scripts"}},
	{"billing-service", langGo, "github.com/acme/billing-service", []string{"internal/invoice", "internal/ledger", "internal/stripe", "cmd/billing", "migrations", "pkg/money"}},
	{"mobile-app", langTS, "@acme/mobile-app", []string{"src/screens", "src/navigation", "src/store", "src/services", "__tests__", "ios"}},
	{"data-warehouse", langPy, "warehouse", []string{"warehouse/models", "warehouse/loaders", "dags", "tests", "sql", "warehouse/quality"}},
	{"fastcache", langGo, "github.com/acme/fastcache", []string{"shard", "evict", "internal/clock", "bench", "cmd/fastcache-cli", "wire"}},
	{"infra-tools", langGo, "github.com/acme/infra-tools", []string{"cmd/rollout", "internal/k8s", "internal/terraform", "modules/network", "internal/dns", "scripts"}},
}

// Sentence templates. Slots: {noun} {verb} {adj} {ident} {path} {cmd} {err}
// {num} {phrase}. Templates hold only function words, so every
// content word goes through a ranked list and the manifest's counts of
// common words stay close to the truth.
var promptTemplates = parseTemplates(`
{verb} the {noun} in {path}
why is {ident} {adj}? I see "{err}" when I run {cmd}
the {phrase} in {path} is {adj} again, can you look at it
please {verb} {ident} so it can {verb} the {noun} before the {noun}
we need a {noun} for the {noun} {noun}; keep the {noun} {adj}
can you {verb} the {adj} {noun} and then {verb} the {phrase}
{cmd} fails with {err}
I think the {noun} is {adj} because of the {phrase}. {verb} it and add a {noun}
look at {path} and tell me why the {noun} is {adj}
add a {phrase} for {ident} and make sure the {noun} {noun} is not {adj}
the {noun} {noun} returns the wrong {noun} after {num} {noun} updates
{verb} {path} to use the new {noun} {noun} instead of {ident}
is there a {phrase} between {ident} and {ident}?
ok, now {verb} the {noun} and run {cmd} again
`)

var replyTemplates = parseTemplates(`
I'll {verb} the {noun} first.
The {adj} {noun} comes from {ident} in {path}: it does not {verb} the {noun} before the {noun}.
Let me run {cmd} to check the {noun}.
All {num} tests pass now. The {phrase} was {adj} because {ident} read the {noun} twice.
I found the {phrase}: {ident} holds the {noun} while it waits on the {noun}.
I updated {path} so the {noun} is {adj} and the {noun} {noun} is checked up front.
The {noun} fails with {err}. That points at the {noun} {noun} in {path}.
There are {num} places that {verb} the {noun}; I'll change them to go through {ident}.
Now I'll {verb} the {phrase} and add a {noun} for the {adj} case.
The {noun} is fine; the {adj} part is the {phrase} around {ident}.
Done. {ident} now handles the {adj} {noun}, and {cmd} is green.
I'd keep the {noun} {adj} for now and {verb} the {noun} in a follow-up.
`)

var thinkingTemplates = parseTemplates(`
The user wants me to {verb} the {noun} in {path}.
First I should look at how {ident} handles the {noun}.
If the {noun} is {adj}, the {phrase} would explain the {err} error.
I could {verb} the {noun}, but that would make the {noun} {adj}.
Let me check whether the {noun} {noun} is covered by a {phrase}.
The simplest fix is to {verb} the {noun} inside {ident}.
Running {cmd} should confirm it.
There may be {num} callers of {ident}, so I need to {verb} them too.
`)

var summaryTemplates = parseTemplates(`
{verb} {adj} {noun} in {noun} {noun}
{phrase} in {noun} {noun}
{verb} {noun} {noun} and {verb} {phrase}
{adj} {noun} after {noun} {noun}
`)

// template is a parsed sentence template: literals and slot names alternate.
type template []string

func parseTemplates(s string) []template {
	var out []template
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		var t template
		lit := 0 // start of the pending literal
		for i := 0; i < len(line); i++ {
			if line[i] != '{' {
				continue
			}
			// A slot is {letters}; any other brace is code.
			j := i + 1
			for j < len(line) && (line[j] >= 'a' && line[j] <= 'z' || line[j] >= 'A' && line[j] <= 'Z') {
				j++
			}
			if j == i+1 || j == len(line) || line[j] != '}' {
				continue
			}
			t = append(t, line[lit:i], line[i+1:j])
			lit = j + 1
			i = j
		}
		out = append(out, append(t, line[lit:], ""))
	}
	return out
}

func uniqueFields(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.Fields(s) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
