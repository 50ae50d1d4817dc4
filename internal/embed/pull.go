package embed

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/lockfile"
)

// ModelFiles are the files of a model2vec model folder, in download order.
var ModelFiles = []string{"config.json", "tokenizer.json", "model.safetensors"}

// KnownModel is a model2vec model reel knows where to download.
type KnownModel struct {
	Name string `json:"name"`
	// BaseURL is the folder the files are fetched from: BaseURL + "/" +
	// file.
	BaseURL string `json:"base_url"`
	// SHA256 pins each file's digest. A file without one must be given
	// with --sha256: reel never installs a file it has not verified.
	SHA256 map[string]string `json:"sha256,omitempty"`
	About  string            `json:"about"`
}

// Known lists the models `reel models pull NAME` can fetch by name alone.
// Their digests are not pinned yet (they could not be checked from the
// machine this was written on), so pulling them needs --sha256 for each
// file; see README "Semantic search models".
var Known = []KnownModel{
	{Name: "potion-base-8M", BaseURL: "https://huggingface.co/minishlab/potion-base-8M/resolve/main",
		About: "model2vec general-purpose English, 256 dims, about 30 MB (MIT)"},
	{Name: "potion-retrieval-32M", BaseURL: "https://huggingface.co/minishlab/potion-retrieval-32M/resolve/main",
		About: "model2vec tuned for retrieval, 512 dims, about 130 MB (MIT)"},
}

// LookupKnown returns the known model called name.
func LookupKnown(name string) (KnownModel, bool) {
	for _, k := range Known {
		if k.Name == name {
			return k, true
		}
	}
	return KnownModel{}, false
}

var modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// CheckModelName refuses names that are not a plain folder name.
func CheckModelName(name string) error {
	if !modelName.MatchString(name) {
		return reel.Errorf(reel.EINVALID, "model name %q: use letters, digits, '.', '_' and '-'", name)
	}
	return nil
}

// PullOptions says what to download and where.
type PullOptions struct {
	// Name is the model's folder name under Root.
	Name string
	// Root is the models folder (config Paths.Models()).
	Root string
	// BaseURL overrides the known model's download folder; required for
	// a name reel does not know.
	BaseURL string
	// SHA256 gives (or overrides) expected digests by file name.
	SHA256 map[string]string
	// Client is the HTTP client; default http.DefaultClient.
	Client *http.Client
	// Progress, when set, is called as bytes arrive: file, bytes so far,
	// and the file's size (-1 when the server does not say).
	Progress func(file string, done, total int64)
}

// PulledFile is one installed file.
type PulledFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// PullResult says what Pull installed.
type PullResult struct {
	Name  string         `json:"name"`
	Dir   string         `json:"dir"`
	Model reel.ModelInfo `json:"model"`
	Files []PulledFile   `json:"files"`
}

// Pull downloads a model2vec model into Root/Name. Every file is fetched
// into a private temporary folder beside it, its SHA-256 checked against
// the expected digest, and the model loaded once; only then is the folder
// renamed into place (replacing an older copy), so a failed or interrupted
// pull never leaves a half model where Load would find it. ECORRUPT on a
// digest mismatch (naming the file, the expected and the actual digest)
// or a truncated download; EINVALID when a digest is missing; EUNSUPPORT
// when the server cannot be reached; EBUSY when another pull of the same
// model is running.
func Pull(ctx context.Context, opts PullOptions) (*PullResult, error) {
	if err := CheckModelName(opts.Name); err != nil {
		return nil, err
	}
	base := opts.BaseURL
	want := map[string]string{}
	if k, ok := LookupKnown(opts.Name); ok {
		if base == "" {
			base = k.BaseURL
		}
		for f, d := range k.SHA256 {
			want[f] = d
		}
	}
	if base == "" {
		return nil, reel.Errorf(reel.EINVALID, "reel does not know a model called %q", opts.Name).
			WithHint("give --url with the folder its files are in, or pull one of: " + knownNames())
	}
	for f, d := range opts.SHA256 {
		want[f] = strings.ToLower(d)
	}
	for f, d := range want {
		if !isHexDigest(d) {
			return nil, reel.Errorf(reel.EINVALID, "sha256 of %s: %q is not 64 hex digits", f, d)
		}
	}
	var missing []string
	for _, f := range ModelFiles {
		if want[f] == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, reel.Errorf(reel.EINVALID, "no pinned sha256 for %s of model %s", strings.Join(missing, ", "), opts.Name).
			WithHint("look each file's SHA-256 up on the model's page and pass --sha256 FILE=HEX for each; reel installs nothing it has not verified")
	}
	client := opts.Client
	if client == nil {
		client = http.DefaultClient
	}
	if err := os.MkdirAll(opts.Root, 0o700); err != nil {
		return nil, fmt.Errorf("create models folder: %w", err)
	}
	lock, holder, err := lockfile.TryAcquire(filepath.Join(opts.Root, "."+opts.Name+".lock"), lockfile.Self("pull "+opts.Name))
	if err != nil {
		return nil, err
	}
	if lock == nil {
		return nil, reel.Errorf(reel.EBUSY, "model %s is being pulled by %s", opts.Name, holder)
	}
	defer lock.Release()
	tmp, err := os.MkdirTemp(opts.Root, "."+opts.Name+".partial-")
	if err != nil {
		return nil, fmt.Errorf("create download folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	res := &PullResult{Name: opts.Name, Dir: filepath.Join(opts.Root, opts.Name)}
	for _, f := range ModelFiles {
		pf, err := fetch(ctx, client, strings.TrimRight(base, "/")+"/"+f, filepath.Join(tmp, f), f, want[f], opts.Progress)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, pf)
	}
	m, err := LoadModel2Vec(tmp, opts.Name)
	if err != nil {
		return nil, fmt.Errorf("check downloaded model %s: %w", opts.Name, err)
	}
	res.Model = m.Model()
	if err := install(tmp, res.Dir); err != nil {
		return nil, err
	}
	return res, nil
}

func knownNames() string {
	var n []string
	for _, k := range Known {
		n = append(n, k.Name)
	}
	return strings.Join(n, ", ")
}

func isHexDigest(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

// fetch downloads url to path, checking the size the server announced
// and the digest.
func fetch(ctx context.Context, client *http.Client, url, path, name, want string, progress func(string, int64, int64)) (PulledFile, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return PulledFile{}, reel.Errorf(reel.EINVALID, "download %s: %v", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return PulledFile{}, (&reel.Error{Code: reel.EUNSUPPORT, Message: "download " + url, Err: err}).
			WithHint("check the network, or pull from a mirror with --url")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return PulledFile{}, reel.Errorf(reel.EUNSUPPORT, "download %s: server answered %s", url, resp.Status)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return PulledFile{}, fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	w := io.MultiWriter(f, h)
	var done int64
	buf := make([]byte, 256<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return PulledFile{}, fmt.Errorf("write %s: %w", path, err)
			}
			done += int64(n)
			if progress != nil {
				progress(name, done, resp.ContentLength)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return PulledFile{}, (&reel.Error{Code: reel.ECORRUPT, Message: fmt.Sprintf("download %s: cut off after %d bytes", url, done), Err: rerr}).
				WithHint("run reel models pull again")
		}
	}
	if resp.ContentLength >= 0 && done != resp.ContentLength {
		return PulledFile{}, reel.Errorf(reel.ECORRUPT, "download %s: got %d bytes of %d", url, done, resp.ContentLength).WithHint("run reel models pull again")
	}
	if err := f.Sync(); err != nil {
		return PulledFile{}, fmt.Errorf("sync %s: %w", path, err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != want {
		return PulledFile{}, reel.Errorf(reel.ECORRUPT, "download %s: %s has sha256 %s, expected %s", url, name, got, want).
			WithHint("the file differs from the one pinned: check the digest, or the mirror; nothing was installed")
	}
	return PulledFile{Name: name, Bytes: done, SHA256: got}, nil
}

// install moves the verified folder tmp to dir, replacing an older copy:
// the old one is renamed aside first, so dir is at every moment either the
// old model or the new one.
func install(tmp, dir string) error {
	if err := atomicfile.SyncDir(tmp); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = dir + ".old-" + filepath.Base(tmp)
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("move old model aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("install model: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return atomicfile.SyncDir(filepath.Dir(dir))
}

// Installed is one model folder under the models folder.
type Installed struct {
	Name  string `json:"name"`
	Dir   string `json:"dir"`
	Dim   int    `json:"dim"`
	Vocab int    `json:"vocab"`
	Bytes int64  `json:"bytes"`
	// Error says why the folder is not a usable model, "" when it is.
	Error string `json:"error,omitempty"`
}

// ListInstalled returns the model folders under root, sorted by name.
// Dimensions are read from the safetensors header without loading the
// table. A missing root is no models.
func ListInstalled(root string) ([]Installed, error) {
	ents, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read models folder: %w", err)
	}
	var out []Installed
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || strings.Contains(e.Name(), ".old-") {
			continue
		}
		in := Installed{Name: e.Name(), Dir: filepath.Join(root, e.Name())}
		for _, f := range ModelFiles {
			st, err := os.Stat(filepath.Join(in.Dir, f))
			if err != nil {
				in.Error = "missing " + f
				break
			}
			in.Bytes += st.Size()
		}
		if in.Error == "" {
			rows, cols, err := matrixShape(filepath.Join(in.Dir, "model.safetensors"), "embeddings")
			if err != nil {
				in.Error = err.Error()
			}
			in.Vocab, in.Dim = rows, cols
		}
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// matrixShape reads a tensor's shape from a safetensors header.
func matrixShape(path, name string) (rows, cols int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	var n uint64
	if err := binary.Read(f, binary.LittleEndian, &n); err != nil || n > 100<<20 {
		return 0, 0, reel.Errorf(reel.ECORRUPT, "safetensors %s: bad header length", path)
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(f, hb); err != nil {
		return 0, 0, reel.Errorf(reel.ECORRUPT, "safetensors %s: header cut off", path)
	}
	var header map[string]json.RawMessage
	var ti tensorInfo
	if json.Unmarshal(hb, &header) != nil || header[name] == nil || json.Unmarshal(header[name], &ti) != nil || len(ti.Shape) != 2 {
		return 0, 0, reel.Errorf(reel.ECORRUPT, "safetensors %s: no 2-D tensor %q", path, name)
	}
	return ti.Shape[0], ti.Shape[1], nil
}
