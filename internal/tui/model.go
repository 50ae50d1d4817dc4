package tui

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/reel-sh/reel"
)

// Searcher runs a search. reel.Store satisfies it (full-text), and so does
// the hybrid searcher of internal/search.
type Searcher interface {
	Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error)
}

// RenderFunc writes a session's transcript, as `reel show` prints it, for
// the pager.
type RenderFunc func(ctx context.Context, w io.Writer, sessionID string) error

// Defaults for Options.
const (
	DefaultDebounce = 40 * time.Millisecond
	DefaultLimit    = 50
	// PreviewBefore and PreviewAfter are how many events around a hit the
	// preview shows.
	PreviewBefore = 3
	PreviewAfter  = 3
	// SideBySideWidth is the narrowest terminal that shows the preview
	// beside the results; a narrower one stacks it below them when there
	// are enough lines, and hides it when not.
	SideBySideWidth = 100
)

// TimeRanges are the time filters the time key cycles through; 0 is any
// time.
var TimeRanges = []time.Duration{0, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// Kinds are the event kinds the kind key cycles through, after "any".
var Kinds = []string{reel.KindMessage, reel.KindReasoning, reel.KindToolCall, reel.KindToolResult,
	reel.KindCommand, reel.KindOutput, reel.KindSystem, reel.KindSummary}

// Options configure a Model.
type Options struct {
	// Searcher runs the searches; Store loads the preview, the sessions
	// and the sources present. Both are required.
	Searcher Searcher
	Store    reel.Store
	// Query is typed in at the start.
	Query string
	// Mode and PerSession are passed on in every reel.SearchQuery.
	Mode       string
	PerSession int
	// Limit caps the hits shown; 0 means DefaultLimit.
	Limit int
	// Debounce is how long typing must pause before a search starts; 0
	// means DefaultDebounce.
	Debounce time.Duration
	// Color turns colours on; it is false under NO_COLOR.
	Color bool
	// Render formats a session for the pager; nil disables the pager key.
	Render RenderFunc
	// Pager is the pager's shell command line; "" means "less -R".
	Pager string
	// Now is the clock for time filters; nil means time.Now.
	Now func() time.Time
	// Trace, if set, is called for each search result drawn with the time
	// from the keystroke that asked for it (debounce included) and the
	// search's own time.
	Trace func(Sample)
}

// Sample is one measured keystroke-to-results delay.
type Sample struct {
	Query  string
	Hits   int
	Total  time.Duration // keystroke to results in the model
	Search time.Duration // the Searcher's call alone
}

// Result is how the user left the model.
type Result struct {
	// Resume is the command line the user asked for with the resume key;
	// empty when they quit.
	Resume string
	// SessionID is the session whose resume command was asked for.
	SessionID string
	// NoResume is set when the resume key was pressed on a session whose
	// client has no known resume command; the message says so.
	NoResume string
}

// Model is the interactive search's state. It is a tea.Model.
type Model struct {
	opt   Options
	input textinput.Model
	// project is the project filter's text; editingProject routes typing
	// to it instead of the query.
	project        string
	editingProject bool
	sources        []string
	sourceIdx      int // 0 is any; i>0 is sources[i-1]
	timeIdx        int
	kindIdx        int // 0 is any; i>0 is Kinds[i-1]

	// gen counts query and filter changes; only results of the newest
	// generation are shown.
	gen      uint64
	cancel   context.CancelFunc
	changeAt time.Time // when the newest change was made
	pending  bool      // a search for gen is debouncing or running

	query    string // the query text the hits are for
	hits     []reel.Hit
	err      error
	searchMs time.Duration
	selected int
	offset   int

	preview     []reel.Event
	previewKey  previewKey
	previewErr  error
	sessions    map[string]reel.Session
	width       int
	height      int
	status      string
	result      Result
	quitting    bool
	styles      styles
	initialized bool
}

type previewKey struct {
	session string
	seq     int64
}

// Messages.
type (
	debounceMsg struct{ gen uint64 }
	resultsMsg  struct {
		gen     uint64
		query   string
		hits    []reel.Hit
		err     error
		elapsed time.Duration
	}
	previewMsg struct {
		key    previewKey
		events []reel.Event
		sess   reel.Session
		err    error
	}
	sourcesMsg struct{ sources []string }
	sessionMsg struct {
		sess reel.Session
		err  error
		then func(reel.Session) (tea.Model, tea.Cmd)
	}
	pagerDoneMsg struct{ err error }
)

// New returns a model over opt.
func New(opt Options) *Model {
	if opt.Limit <= 0 {
		opt.Limit = DefaultLimit
	}
	if opt.Debounce <= 0 {
		opt.Debounce = DefaultDebounce
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	in := textinput.New()
	in.Prompt = "search> "
	in.Placeholder = "type to search"
	in.SetValue(opt.Query)
	// The terminal's own cursor: a virtual one blinks by timer, which
	// would wake the model twice a second for nothing.
	in.SetVirtualCursor(false)
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	if !opt.Color {
		plain := lipgloss.NewStyle()
		for _, s := range []*textinput.StyleState{&st.Focused, &st.Blurred} {
			s.Placeholder, s.Suggestion, s.Prompt, s.Text = plain.Faint(true), plain.Faint(true), plain, plain
		}
		st.Cursor.Color = nil
	}
	in.SetStyles(st)
	in.Focus()
	m := &Model{opt: opt, input: in, sessions: map[string]reel.Session{}, styles: newStyles(opt.Color),
		width: 80, height: 24}
	return m
}

// Result returns how the user left the model, once it has quit.
func (m *Model) Result() Result { return m.result }

// Hits returns the hits shown.
func (m *Model) Hits() []reel.Hit { return m.hits }

// Init starts the first search and loads the sources present.
func (m *Model) Init() tea.Cmd {
	store := m.opt.Store
	loadSources := func() tea.Msg {
		st, err := store.Stats(context.Background())
		if err != nil {
			return sourcesMsg{}
		}
		var out []string
		for _, s := range st.Sources {
			if s.Sessions > 0 {
				out = append(out, s.Source)
			}
		}
		slices.Sort(out)
		return sourcesMsg{out}
	}
	return tea.Batch(loadSources, m.changed(true))
}

// SearchQuery returns the query that the current input and filters make.
func (m *Model) SearchQuery() reel.SearchQuery {
	f := reel.Filter{Project: m.project, Limit: m.opt.Limit}
	if m.sourceIdx > 0 {
		f.Sources = []string{m.sources[m.sourceIdx-1]}
	}
	if m.kindIdx > 0 {
		f.Kinds = []string{Kinds[m.kindIdx-1]}
	}
	if d := TimeRanges[m.timeIdx]; d > 0 {
		f.Since = m.opt.Now().Add(-d)
	}
	return reel.SearchQuery{Query: reel.ParseQuery(asYouType(m.input.Value())), Filter: f,
		Mode: m.opt.Mode, PerSession: m.opt.PerSession}
}

// changed records a change of the query or a filter: a new generation,
// searched after the debounce (at once when now is set).
func (m *Model) changed(now bool) tea.Cmd {
	m.gen++
	m.changeAt = time.Now()
	m.pending = true
	if now {
		return m.search(m.gen)
	}
	gen := m.gen
	return tea.Tick(m.opt.Debounce, func(time.Time) tea.Msg { return debounceMsg{gen} })
}

// search cancels the running search and starts one for gen.
func (m *Model) search(gen uint64) tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	q := m.SearchQuery()
	text := m.input.Value()
	if q.Query.Empty() {
		m.cancel = nil
		return func() tea.Msg { return resultsMsg{gen: gen, query: text} }
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	s := m.opt.Searcher
	return func() tea.Msg {
		start := time.Now()
		hits, err := s.Search(ctx, q)
		return resultsMsg{gen: gen, query: text, hits: hits, err: err, elapsed: time.Since(start)}
	}
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.input.SetWidth(max(10, msg.Width-len(m.input.Prompt)-2))
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if m.editingProject {
			m.project += strings.ReplaceAll(msg.Content, "\n", " ")
			return m, m.changed(false)
		}
		return m.typed(msg)
	case debounceMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		return m, m.search(msg.gen)
	case resultsMsg:
		return m.results(msg)
	case previewMsg:
		if msg.key != m.previewKey {
			return m, nil
		}
		m.preview, m.previewErr = msg.events, msg.err
		if msg.sess.ID != "" {
			m.sessions[msg.sess.ID] = msg.sess
		}
		return m, nil
	case sourcesMsg:
		m.sources = msg.sources
		return m, nil
	case sessionMsg:
		if msg.err != nil {
			m.status = "error: " + msg.err.Error()
			return m, nil
		}
		m.sessions[msg.sess.ID] = msg.sess
		return msg.then(msg.sess)
	case pagerDoneMsg:
		if msg.err != nil {
			m.status = "pager: " + msg.err.Error()
		}
		return m, nil
	}
	return m, nil
}

func (m *Model) results(msg resultsMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil // stale: a newer change is on its way
	}
	m.pending = false
	m.cancel = nil
	if msg.err != nil {
		if errors.Is(msg.err, context.Canceled) {
			return m, nil
		}
		m.err = msg.err
		return m, nil
	}
	m.err = nil
	m.query = msg.query
	m.hits = msg.hits
	m.searchMs = msg.elapsed
	m.selected, m.offset = 0, 0
	if m.opt.Trace != nil && msg.query != "" {
		m.opt.Trace(Sample{Query: msg.query, Hits: len(msg.hits), Total: time.Since(m.changeAt), Search: msg.elapsed})
	}
	return m, m.loadPreview()
}

// loadPreview loads the events around the selected hit, unless they are
// what the preview shows already.
func (m *Model) loadPreview() tea.Cmd {
	if len(m.hits) == 0 {
		m.preview, m.previewKey, m.previewErr = nil, previewKey{}, nil
		return nil
	}
	h := m.hits[m.selected]
	key := previewKey{h.SessionID, h.Seq}
	if key == m.previewKey {
		return nil
	}
	m.previewKey = key
	m.preview, m.previewErr = nil, nil
	store := m.opt.Store
	_, known := m.sessions[h.SessionID]
	return func() tea.Msg {
		ctx := context.Background()
		events, err := store.Events(ctx, key.session, reel.Filter{
			SeqFrom: max(0, key.seq-PreviewBefore), SeqTo: key.seq + PreviewAfter + 1})
		var sess reel.Session
		if err == nil && !known {
			sess, _ = store.Session(ctx, key.session)
		}
		return previewMsg{key: key, events: events, sess: sess, err: err}
	}
}

func (m *Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "ctrl+c":
		return m.quit()
	case "esc":
		if m.editingProject {
			m.editingProject = false
			return m, nil
		}
		return m.quit()
	case "enter":
		if m.editingProject {
			m.editingProject = false
			return m, nil
		}
		return m.withSession(m.openPager)
	case "ctrl+r":
		return m.withSession(m.resume)
	case "up", "ctrl+p":
		m.move(-1)
		return m, m.loadPreview()
	case "down", "ctrl+n":
		m.move(1)
		return m, m.loadPreview()
	case "pgup":
		m.move(-m.listHeight())
		return m, m.loadPreview()
	case "pgdown":
		m.move(m.listHeight())
		return m, m.loadPreview()
	case "ctrl+s":
		m.sourceIdx = (m.sourceIdx + 1) % (len(m.sources) + 1)
		return m, m.changed(true)
	case "ctrl+t":
		m.timeIdx = (m.timeIdx + 1) % len(TimeRanges)
		return m, m.changed(true)
	case "ctrl+k":
		m.kindIdx = (m.kindIdx + 1) % (len(Kinds) + 1)
		return m, m.changed(true)
	case "ctrl+o":
		m.editingProject = !m.editingProject
		return m, nil
	}
	if m.editingProject {
		switch k.String() {
		case "backspace":
			if r := []rune(m.project); len(r) > 0 {
				m.project = string(r[:len(r)-1])
				return m, m.changed(false)
			}
			return m, nil
		case "ctrl+u":
			m.project = ""
			return m, m.changed(false)
		}
		if k.Text != "" {
			m.project += k.Text
			return m, m.changed(false)
		}
		return m, nil
	}
	return m.typed(k)
}

// typed passes a message to the query line, and searches if it changed
// the text.
func (m *Model) typed(msg tea.Msg) (tea.Model, tea.Cmd) {
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() == before {
		return m, cmd
	}
	return m, tea.Batch(cmd, m.changed(false))
}

func (m *Model) move(d int) {
	if len(m.hits) == 0 {
		return
	}
	m.selected = min(max(m.selected+d, 0), len(m.hits)-1)
}

func (m *Model) quit() (tea.Model, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.quitting = true
	return m, tea.Quit
}

// withSession calls then with the selected hit's session, loading it
// first if need be.
func (m *Model) withSession(then func(reel.Session) (tea.Model, tea.Cmd)) (tea.Model, tea.Cmd) {
	if len(m.hits) == 0 {
		m.status = "no hit selected"
		return m, nil
	}
	id := m.hits[m.selected].SessionID
	if sess, ok := m.sessions[id]; ok {
		return then(sess)
	}
	store := m.opt.Store
	return m, func() tea.Msg {
		sess, err := store.Session(context.Background(), id)
		return sessionMsg{sess: sess, err: err, then: then}
	}
}

func (m *Model) resume(sess reel.Session) (tea.Model, tea.Cmd) {
	cmd, ok := ResumeCommand(sess)
	if !ok {
		m.result = Result{SessionID: sess.ID,
			NoResume: "no resume command is known for " + sess.Source + " sessions; see it with: reel show " + reel.ShortID(sess.ID)}
	} else {
		m.result = Result{Resume: cmd, SessionID: sess.ID}
	}
	return m.quit()
}

func (m *Model) openPager(sess reel.Session) (tea.Model, tea.Cmd) {
	if m.opt.Render == nil {
		m.status = "no pager available"
		return m, nil
	}
	pc := &pagerCommand{render: m.opt.Render, sessionID: sess.ID, pager: m.opt.Pager}
	return m, tea.Exec(pc, func(err error) tea.Msg { return pagerDoneMsg{err} })
}

// listHeight is how many result rows fit.
func (m *Model) listHeight() int {
	l := m.layout()
	return max(1, l.listRows/2)
}

// MinPrefix is the shortest unfinished word that asYouType makes a
// prefix: a prefix of one or two letters matches much of a large store
// and is slow to rank.
const MinPrefix = 3

// asYouType makes the word being typed a prefix, so that results appear
// before it is finished: "flaky migr" searches flaky migr*. A word
// shorter than MinPrefix, one followed by a space, a quoted phrase or an
// operator is left as it is.
func asYouType(text string) string {
	if text == "" || strings.HasSuffix(text, " ") {
		return text
	}
	fields := strings.Fields(text)
	last := fields[len(fields)-1]
	if strings.Count(text, `"`)%2 == 1 || last == "AND" || last == "OR" || last == "NOT" {
		return text
	}
	for _, r := range strings.TrimPrefix(last, "-") {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			return text
		}
	}
	if strings.HasPrefix(last, "-") || utf8.RuneCountInString(last) < MinPrefix {
		return text
	}
	return text + "*"
}
