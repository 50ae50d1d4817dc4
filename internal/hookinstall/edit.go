package hookinstall

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/reel-sh/reel"
)

// Change says what an edit did, by event name.
type Change struct {
	Added   []string `json:"added,omitempty"`   // reel's entry was not there
	Updated []string `json:"updated,omitempty"` // reel's entry ran another binary, or was there twice
	Removed []string `json:"removed,omitempty"` // reel's entry was taken out
}

// Empty reports whether the edit changed nothing.
func (c Change) Empty() bool { return len(c.Added)+len(c.Updated)+len(c.Removed) == 0 }

// State is what a settings file holds of reel's hook.
type State struct {
	// Events have reel's entry; Missing are c.Events without one.
	Events  []string `json:"events"`
	Missing []string `json:"missing"`
	// Commands are the distinct reel commands found.
	Commands []string `json:"commands"`
}

// Install returns data with reel's hook entry, running bin, for each of
// c's events, and what changed. Entries already there are kept; one that
// runs another reel binary is pointed at bin; nothing else is touched.
// Installing twice changes nothing the second time. file names the file
// in errors.
func Install(c Client, file string, data []byte, bin string) ([]byte, Change, error) {
	if c.Format == FormatCodexNotify {
		return installNotify(c, file, data, bin)
	}
	root, hooks, err := openHooks(file, data, true)
	if err != nil {
		return nil, Change{}, err
	}
	want := Command(c, bin)
	var ch Change
	for _, ev := range c.Events {
		groups, err := eventGroups(file, hooks, ev)
		if err != nil {
			return nil, Change{}, err
		}
		kept := false
		removed := 0
		groups = filterReel(groups, func(cmd string) bool {
			if cmd == want && !kept {
				kept = true
				return true
			}
			removed++
			return false
		})
		switch {
		case kept && removed > 0:
			ch.Updated = append(ch.Updated, ev)
		case !kept && removed > 0:
			ch.Updated = append(ch.Updated, ev)
		case !kept:
			ch.Added = append(ch.Added, ev)
		}
		if !kept {
			groups = append(groups, reelGroup(c, want))
		}
		hooks.set(ev, groups)
	}
	if ch.Empty() {
		return data, ch, nil
	}
	root.set("hooks", hooks)
	return marshalJSON(root), ch, nil
}

// Uninstall returns data without any of reel's hook entries, whatever
// event they are under, and what changed. A matcher group, event list or
// hooks object left empty by that is removed too; the user's entries and
// every other key stay as they were.
func Uninstall(c Client, file string, data []byte) ([]byte, Change, error) {
	if c.Format == FormatCodexNotify {
		return uninstallNotify(c, file, data)
	}
	root, hooks, err := openHooks(file, data, false)
	if err != nil || hooks == nil {
		return data, Change{}, err
	}
	var ch Change
	for _, ev := range slices.Clone(hooks.keys) {
		v, _ := hooks.get(ev)
		groups, ok := v.([]node)
		if !ok {
			continue // not an event list: not reel's to touch
		}
		removed := 0
		groups = filterReel(groups, func(string) bool { removed++; return false })
		if removed == 0 {
			continue
		}
		ch.Removed = append(ch.Removed, ev)
		if len(groups) == 0 {
			hooks.remove(ev)
		} else {
			hooks.set(ev, groups)
		}
	}
	if ch.Empty() {
		return data, ch, nil
	}
	if len(hooks.keys) == 0 {
		root.remove("hooks")
	}
	return marshalJSON(root), ch, nil
}

// Inspect reports which of c's events have reel's entry in data.
func Inspect(c Client, file string, data []byte) (State, error) {
	st := State{Events: []string{}, Missing: []string{}, Commands: []string{}}
	if c.Format == FormatCodexNotify {
		return inspectNotify(c, file, data)
	}
	_, hooks, err := openHooks(file, data, false)
	if err != nil {
		return st, err
	}
	for _, ev := range c.Events {
		found := false
		if hooks != nil {
			v, _ := hooks.get(ev)
			groups, _ := v.([]node)
			filterReel(groups, func(cmd string) bool {
				found = true
				if !slices.Contains(st.Commands, cmd) {
					st.Commands = append(st.Commands, cmd)
				}
				return true
			})
		}
		if found {
			st.Events = append(st.Events, ev)
		} else {
			st.Missing = append(st.Missing, ev)
		}
	}
	return st, nil
}

// openHooks parses data and returns its root and "hooks" object; the
// latter is created when create is set and it is missing, else nil.
func openHooks(file string, data []byte, create bool) (*object, *object, error) {
	root, err := parseJSON(file, data)
	if err != nil {
		return nil, nil, err
	}
	v, ok := root.get("hooks")
	if !ok || v == nil {
		if !create {
			return root, nil, nil
		}
		return root, newObject(), nil
	}
	hooks, ok := v.(*object)
	if !ok {
		return nil, nil, reel.Errorf(reel.ECORRUPT, "settings %s: \"hooks\" is not an object", file).
			WithHint("reel leaves the file alone; fix \"hooks\" by hand")
	}
	return root, hooks, nil
}

// eventGroups returns the matcher groups under hooks[ev], none if absent.
func eventGroups(file string, hooks *object, ev string) ([]node, error) {
	v, ok := hooks.get(ev)
	if !ok || v == nil {
		return nil, nil
	}
	groups, ok := v.([]node)
	if !ok {
		return nil, reel.Errorf(reel.ECORRUPT, "settings %s: \"hooks\".%q is not a list", file, ev).
			WithHint("reel leaves the file alone; fix it by hand")
	}
	return groups, nil
}

// filterReel calls keep for each of reel's command entries in groups and
// drops those it returns false for; a group that this leaves with no
// entries is dropped too. Other entries and groups are kept as they are.
func filterReel(groups []node, keep func(cmd string) bool) []node {
	out := groups[:0:0]
	for _, g := range groups {
		obj, ok := g.(*object)
		if !ok {
			out = append(out, g)
			continue
		}
		v, _ := obj.get("hooks")
		entries, ok := v.([]node)
		if !ok {
			out = append(out, g)
			continue
		}
		var left []node
		dropped := false
		for _, e := range entries {
			if cmd, ok := reelEntry(e); ok && !keep(cmd) {
				dropped = true
				continue
			}
			left = append(left, e)
		}
		switch {
		case !dropped:
			out = append(out, g)
		case len(left) > 0:
			obj.set("hooks", left)
			out = append(out, g)
		}
	}
	return out
}

// reelEntry returns the command of a hook entry that is reel's.
func reelEntry(e node) (string, bool) {
	obj, ok := e.(*object)
	if !ok {
		return "", false
	}
	v, _ := obj.get("command")
	cmd, ok := v.(string)
	if !ok || !IsReelCommand(cmd) {
		return "", false
	}
	return cmd, true
}

// reelGroup is the matcher group reel adds: no matcher (every tool and
// every kind of the event), one command entry.
func reelGroup(c Client, cmd string) node {
	entry := newObject()
	entry.set("type", "command")
	entry.set("command", cmd)
	if c.Timeout > 0 {
		entry.set("timeout", json.Number(fmt.Sprint(c.Timeout)))
	}
	g := newObject()
	g.set("hooks", []node{entry})
	return g
}
