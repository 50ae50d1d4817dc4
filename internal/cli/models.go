package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/embed"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

type modelsOptions struct {
	app    *App
	url    string
	sha256 []string
	json   bool
}

// modelsEntry is one model of reel models list --json.
type modelsEntry struct {
	Name     string `json:"name"`
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Dim      int    `json:"dim"`
	Vocab    int    `json:"vocab,omitempty"`
	Bytes    int64  `json:"bytes"`
	Dir      string `json:"dir,omitempty"`
	InUse    bool   `json:"in_use"`
	Error    string `json:"error,omitempty"`
}

// modelsList is reel models list --json.
type modelsList struct {
	// InUse is the model id the [embed] config selects ("" when off).
	InUse     string        `json:"in_use"`
	Provider  string        `json:"provider"`
	Installed []modelsEntry `json:"models"`
	Known     []string      `json:"known"`
}

func newModelsCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List, download and choose the embedding models of semantic search",
		Long: `Models manages the embedding models that turn event text into vectors for
semantic search. The built-in model (builtin:reel-static-v1, compiled into
reel) is a small static word-vector model trained on the Go documentation;
model2vec models (potion-base-8M, potion-retrieval-32M, ...) are pulled into
the data folder and run in-process; an OpenAI-compatible endpoint is set in
config.toml ([embed] provider = "openai", url, model, api_key_env).`,
		Example: `  reel models list
  reel models pull potion-base-8M --sha256 model.safetensors=HEX --sha256 tokenizer.json=HEX --sha256 config.json=HEX
  reel models use potion-base-8M
  reel models use builtin`,
	}
	opts := &modelsOptions{app: app}
	list := &cobra.Command{
		Use:     "list",
		Short:   "Show the installed models and the one in use",
		Example: "  reel models list\n  reel models list --json | jq .in_use",
		Args:    exactArgs(0, "no arguments"),
		RunE:    func(cmd *cobra.Command, args []string) error { return runModelsList(opts) },
	}
	list.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	pull := &cobra.Command{
		Use:   "pull NAME",
		Short: "Download a model2vec model and verify every file's SHA-256",
		Long: `Pull downloads a model2vec model (config.json, tokenizer.json and
model.safetensors) into the data folder's models/NAME. Each file is checked
against its SHA-256 before the folder is moved into place; a mismatch or a
cut-off download installs nothing. Known names: ` + knownModelNames() + `.
Their digests are not pinned in this build: give each with --sha256
FILE=HEX (the digests are on the model's Hugging Face page, "Files"). Any
other model2vec folder can be pulled with --url.`,
		Example: `  reel models pull potion-base-8M --sha256 model.safetensors=HEX --sha256 tokenizer.json=HEX --sha256 config.json=HEX
  reel models pull mymodel --url https://mirror.example/mymodel --sha256 model.safetensors=HEX ...`,
		Args: exactArgs(1, "one model name"),
		RunE: func(cmd *cobra.Command, args []string) error { return runModelsPull(cmd.Context(), opts, args[0]) },
	}
	pull.Flags().StringVar(&opts.url, "url", "", "the folder URL the files are downloaded from (FILE is appended)")
	pull.Flags().StringArrayVar(&opts.sha256, "sha256", nil, "FILE=HEX expected digest of one file (repeat); a bare HEX is model.safetensors")
	pull.Flags().BoolVar(&opts.json, "json", false, "print the installed files as JSON")
	use := &cobra.Command{
		Use:   "use NAME",
		Short: "Make semantic search embed with NAME (a pulled model, builtin or off)",
		Long: `Use writes [embed] provider and model into config.toml, keeping the rest of
the file. NAME is a pulled model2vec model, "builtin" or "off". Vectors of
the previous model are not compared with the new one's: events are embedded
again with the new model.`,
		Example: "  reel models use potion-base-8M\n  reel models use builtin\n  reel models use off",
		Args:    exactArgs(1, "one model name"),
		RunE:    func(cmd *cobra.Command, args []string) error { return runModelsUse(opts, args[0]) },
	}
	cmd.AddCommand(list, pull, use)
	return cmd
}

func knownModelNames() string {
	var n []string
	for _, k := range embed.Known {
		n = append(n, k.Name)
	}
	return strings.Join(n, ", ")
}

func runModelsList(opts *modelsOptions) error {
	app := opts.app
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	out := modelsList{Provider: cfg.Embed.Provider, Known: strings.Split(knownModelNames(), ", ")}
	if out.Provider == "" {
		out.Provider = config.EmbedBuiltin
	}
	b, err := embed.Builtin()
	if err != nil {
		return err
	}
	out.Installed = append(out.Installed, modelsEntry{Name: "builtin", ID: b.Model().ID, Provider: config.EmbedBuiltin,
		Dim: b.Model().Dim, Vocab: b.Vocab(), Bytes: embed.BuiltinSize(), InUse: out.Provider == config.EmbedBuiltin})
	inst, err := embed.ListInstalled(cfg.Paths.Models())
	if err != nil {
		return err
	}
	for _, m := range inst {
		out.Installed = append(out.Installed, modelsEntry{Name: m.Name, ID: "model2vec:" + m.Name, Provider: config.EmbedModel2Vec,
			Dim: m.Dim, Vocab: m.Vocab, Bytes: m.Bytes, Dir: m.Dir, Error: m.Error,
			InUse: out.Provider == config.EmbedModel2Vec && cfg.Embed.Model == m.Name})
	}
	switch out.Provider {
	case config.EmbedBuiltin:
		out.InUse = embed.BuiltinID
	case config.EmbedModel2Vec:
		out.InUse = "model2vec:" + cfg.Embed.Model
	case config.EmbedOpenAI:
		out.InUse = "openai:" + cfg.Embed.Model
	}
	if opts.json {
		return writeJSON(app.Streams.Out, out)
	}
	s := app.Streams
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tNAME\tID\tDIM\tSIZE\t")
	for _, m := range out.Installed {
		mark := " "
		if m.InUse {
			mark = s.Paint(styleGreen, "*")
		}
		note := ""
		if m.Error != "" {
			note = s.Paint(styleDim, "unusable: "+m.Error)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", mark, m.Name, m.ID, m.Dim, humanize.Bytes(m.Bytes), note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case out.Provider == config.EmbedOff:
		fmt.Fprintln(s.Out, "\nsemantic search is off ([embed] provider = \"off\"): search is full-text only")
	case out.Provider == config.EmbedOpenAI:
		fmt.Fprintf(s.Out, "\nin use: %s at %s\n", out.InUse, cfg.Embed.URL)
	case out.Provider == config.EmbedModel2Vec && !installed(inst, cfg.Embed.Model):
		fmt.Fprintf(s.Out, "\nin use: %s, which is not installed: run reel models pull %s\n", out.InUse, cfg.Embed.Model)
	}
	return nil
}

func installed(inst []embed.Installed, name string) bool {
	for _, m := range inst {
		if m.Name == name && m.Error == "" {
			return true
		}
	}
	return false
}

func runModelsPull(ctx context.Context, opts *modelsOptions, name string) error {
	app := opts.app
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	digests := map[string]string{}
	for _, d := range opts.sha256 {
		file, hex, ok := strings.Cut(d, "=")
		if !ok {
			file, hex = "model.safetensors", d
		}
		digests[file] = hex
	}
	s := app.Streams
	var bar *progressbar.ProgressBar
	var barFile string
	progress := func(file string, done, total int64) {
		if bar == nil || barFile != file {
			if bar != nil {
				bar.Finish()
			}
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(s.Err),
				progressbar.OptionSetDescription(file),
				progressbar.OptionShowBytes(true),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
			barFile = file
		}
		bar.Set64(done)
	}
	if !s.IsStderrTTY() || opts.json {
		progress = nil
	}
	res, err := embed.Pull(ctx, embed.PullOptions{Name: name, Root: cfg.Paths.Models(), BaseURL: opts.url, SHA256: digests, Progress: progress})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(s.Out, res)
	}
	var total int64
	for _, f := range res.Files {
		total += f.Bytes
	}
	fmt.Fprintf(s.Out, "pulled %s (%d dims, %s, every file's sha256 verified) into %s\n", res.Model.ID, res.Model.Dim, humanize.Bytes(total), res.Dir)
	fmt.Fprintf(s.Out, "use it with: reel models use %s\n", name)
	return nil
}

func runModelsUse(opts *modelsOptions, name string) error {
	app := opts.app
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	provider, model := config.EmbedModel2Vec, name
	switch name {
	case "builtin", embed.BuiltinID:
		provider, model = config.EmbedBuiltin, ""
	case "off":
		provider, model = config.EmbedOff, ""
	default:
		inst, err := embed.ListInstalled(cfg.Paths.Models())
		if err != nil {
			return err
		}
		if !installed(inst, name) {
			return reel.Errorf(reel.ENOTFOUND, "model %s is not installed", name).WithHint("run: reel models pull " + name + ", or see reel models list")
		}
	}
	file := cfg.File
	if file == "" {
		file = cfg.Paths.ConfigFile()
	}
	if err := config.SetEmbedModel(file, provider, model); err != nil {
		return err
	}
	what := provider
	if model != "" {
		what = "model2vec:" + model
	}
	fmt.Fprintf(app.Streams.Out, "semantic search now uses %s (%s)\n", what, file)
	return nil
}
