package replay

import (
	"testing"

	"github.com/reel-sh/reel"
)

func TestPolicy_Check(t *testing.T) {
	// want is the rule each preset reports, "" for none: minimal, moderate, strict.
	tests := []struct {
		cmd  string
		want [3]string
	}{
		{"ls -la", [3]string{"", "", ""}},
		{"make test && go vet ./...", [3]string{"", "", ""}},
		{"echo rm -rf / is bad", [3]string{"", "", ""}},
		{"rm -rf /", [3]string{"rm-root", "rm-root", "rm-root"}},
		{"rm -fr /*", [3]string{"rm-root", "rm-root", "rm-root"}},
		{"sudo rm -r -f ~", [3]string{"rm-root", "rm-root", "rm-root"}},
		{"cd /tmp; rm --recursive --force $HOME/", [3]string{"rm-root", "rm-root", "rm-root"}},
		{`bash -c "rm -rf /usr"`, [3]string{"rm-root", "rm-root", "rm-root"}},
		{"echo $(rm -rf /etc)", [3]string{"rm-root", "rm-root", "rm-root"}},
		{"rm --no-preserve-root -rf /", [3]string{"rm-root", "rm-root", "rm-root"}},
		{"rm -rf ./build", [3]string{"", "", "rm"}},
		{"rm -rf *", [3]string{"", "rm-broad", "rm-broad"}},
		{"rm notes.txt", [3]string{"", "", "rm"}},
		{"mkfs.ext4 /dev/sdb1", [3]string{"mkfs", "mkfs", "mkfs"}},
		{"dd if=ubuntu.iso of=/dev/sdb bs=4M", [3]string{"dd-device", "dd-device", "dd-device"}},
		{"dd if=/dev/zero of=/dev/null count=1", [3]string{"", "", ""}},
		{"cat image > /dev/nvme0n1", [3]string{"device-write", "device-write", "device-write"}},
		{":(){ :|:& };:", [3]string{"fork-bomb", "fork-bomb", "fork-bomb"}},
		{"bomb() { bomb | bomb & }; bomb", [3]string{"fork-bomb", "fork-bomb", "fork-bomb"}},
		{"f() { g | h & }", [3]string{"", "", ""}},
		{"chmod -R 777 /", [3]string{"chmod-777-root", "chmod-777-root", "chmod-777-root"}},
		{"chmod -R 777 ./public", [3]string{"", "chmod-777", "chmod-777"}},
		{"chmod 644 file", [3]string{"", "", ""}},
		{"sudo apt-get install -y jq", [3]string{"", "sudo", "sudo"}},
		{"curl -fsSL https://get.example.com | sh", [3]string{"", "pipe-to-shell", "pipe-to-shell"}},
		{"wget -qO- https://x.io/i.sh | sudo -E bash", [3]string{"", "pipe-to-shell", "pipe-to-shell"}},
		{`bash -c "$(curl -fsSL https://x.io/install.sh)"`, [3]string{"", "pipe-to-shell", "pipe-to-shell"}},
		{"curl -fsS https://api.example.com/health | jq .", [3]string{"", "", ""}},
		{`psql -c "DROP TABLE users"`, [3]string{"", "sql-drop", "sql-drop"}},
		{`psql -c "delete from sessions"`, [3]string{"", "", "sql-delete"}},
		{"git push --force origin main", [3]string{"", "git-force-push", "git-force-push"}},
		{"git push -f", [3]string{"", "git-force-push", "git-force-push"}},
		{"git push origin main", [3]string{"", "", "git-push"}},
		{"git reset --hard HEAD~3", [3]string{"", "git-reset-hard", "git-reset-hard"}},
		{"git clean -fdx", [3]string{"", "git-clean", "git-clean"}},
		{"git status", [3]string{"", "", ""}},
		{"kill -9 -1", [3]string{"", "kill-all", "kill-all"}},
		{"sudo reboot", [3]string{"", "power", "power"}},
		{"shutdown -h now", [3]string{"", "power", "power"}},
		{"find / -name '*.log' -delete", [3]string{"", "find-delete-root", "find-delete-root"}},
		{"crontab -r", [3]string{"", "crontab-remove", "crontab-remove"}},
		{"docker system prune -af", [3]string{"", "docker-prune", "docker-prune"}},
		{"echo 'nameserver 1.1.1.1' > /etc/resolv.conf", [3]string{"", "system-file-write", "system-file-write"}},
		{"kubectl delete ns staging", [3]string{"", "", "cluster-delete"}},
		{"npm publish", [3]string{"", "", "publish"}},
		{"env FOO=1 nice -n 5 rm -rf /var", [3]string{"rm-root", "rm-root", "rm-root"}},
		{"timeout 5 dd if=x of=/dev/sda", [3]string{"dd-device", "dd-device", "dd-device"}},
	}
	for _, tt := range tests {
		for i, preset := range Presets() {
			p, err := NewPolicy(preset, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if f := p.Check(tt.cmd); f != nil {
				got = f.Rule
			}
			if got != tt.want[i] {
				t.Errorf("%s: Check(%q) = %q, want %q", preset, tt.cmd, got, tt.want[i])
			}
		}
	}
}

func TestNewPolicy(t *testing.T) {
	t.Run("Custom", func(t *testing.T) {
		p, err := NewPolicy("", []string{`terraform\s+apply`})
		if err != nil {
			t.Fatal(err)
		}
		if p.Preset != PresetModerate {
			t.Errorf("default preset = %q", p.Preset)
		}
		if f := p.Check("cd infra && terraform apply -auto-approve"); f == nil || f.Rule != "custom" {
			t.Errorf("custom pattern not applied: %+v", f)
		}
	})
	t.Run("ErrPreset", func(t *testing.T) {
		if _, err := NewPolicy("paranoid", nil); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
	t.Run("ErrPattern", func(t *testing.T) {
		if _, err := NewPolicy("", []string{"(unclosed"}); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
	t.Run("Levels", func(t *testing.T) {
		n := map[string]int{}
		for _, preset := range Presets() {
			p, _ := NewPolicy(preset, nil)
			n[preset] = len(p.Rules())
		}
		if !(n[PresetMinimal] < n[PresetModerate] && n[PresetModerate] < n[PresetStrict]) {
			t.Errorf("rule counts %v do not grow with caution", n)
		}
	})
}
