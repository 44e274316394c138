package main

import (
	"debug/elf"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc/config"
)

// TestDockerRecipe checks the Dockerfile and the README's Docker commands
// against each other and against mailproc itself, as far as that goes
// without a Docker daemon: the build runs scripts/build (whose binary the
// e2e tests run, and which must be static for the slim image); the image's
// user, volume, data dir, config path and HEALTHCHECK are the ones the
// README's commands name; every MAILPROC_* variable the README passes to a
// container is a setting mailproc knows (a _FILE only for a secret).
func TestDockerRecipe(t *testing.T) {
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	dockerfile := string(df)
	build, err := os.ReadFile("../../scripts/build")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=1", "-extldflags -static", "sqlite_omit_load_extension,osusergo,netgo"} {
		if !strings.Contains(string(build), want) {
			t.Errorf("scripts/build lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^RUN .*scripts/build /out/mailproc$`).MatchString(dockerfile) ||
		!strings.Contains(dockerfile, "COPY --from=build /out/mailproc /usr/local/bin/mailproc") {
		t.Error("the Dockerfile does not build with scripts/build and install its binary")
	}
	// The binary scripts/build made (MAILPROC_BIN) runs in debian:bookworm-slim
	// without glibc's loader only if it is static.
	if p := os.Getenv("MAILPROC_BIN"); p != "" {
		f, err := elf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				t.Errorf("%s is dynamically linked (it has an ELF interpreter)", p)
			}
		}
		f.Close()
	}

	uid := regexp.MustCompile(`useradd --system --uid (\d+) .* mailproc`).FindStringSubmatch(dockerfile)
	if uid == nil {
		t.Fatal("the Dockerfile makes no mailproc user with a fixed uid")
	}
	for _, want := range []string{"USER mailproc", `VOLUME ["/data"]`, "ENV MAILPROC_DESK_DATA_DIR=/data",
		"chown mailproc:mailproc /data && chmod 0750 /data"} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
	const cfgPath = "/etc/mailproc/mailproc.toml"
	hc := regexp.MustCompile(`(?m)^\s+CMD \["/usr/local/bin/mailproc", "healthcheck", "-config", "([^"]+)"\]$`).FindStringSubmatch(dockerfile)
	run := regexp.MustCompile(`(?m)^CMD \["run", "-config", "([^"]+)"\]$`).FindStringSubmatch(dockerfile)
	if hc == nil || run == nil || hc[1] != cfgPath || run[1] != cfgPath {
		t.Errorf("HEALTHCHECK %q and CMD %q must both read %s", hc, run, cfgPath)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, c := range shellCommands(string(readme)) {
		if strings.HasPrefix(c, "docker run") {
			cmds = append(cmds, c)
		}
	}
	var daemon string
	for _, c := range cmds {
		if strings.Contains(c, "--name mailproc ") {
			daemon = c
		}
	}
	if daemon == "" {
		t.Fatalf("the README has no `docker run … --name mailproc` among %d docker run commands", len(cmds))
	}
	for _, want := range []string{"-v mailproc-data:/data ", "-v " + cfgPath + ":" + cfgPath + ":ro", "-v /etc/mailproc/secrets:/run/secrets:ro"} {
		if !strings.Contains(daemon, want) {
			t.Errorf("the README's docker run lacks %q:\n%s", want, daemon)
		}
	}
	sec := readmeSection(t, "### Docker")
	for _, want := range []string{"uid " + uid[1], "chown -R " + uid[1] + " /etc/mailproc/secrets", "`/data`", "healthcheck -config\n" + cfgPath} {
		if !strings.Contains(sec, want) {
			t.Errorf("the README's Docker section does not say %q", want)
		}
	}

	// Every MAILPROC_* variable the README hands a container is a setting.
	known := map[string]bool{}
	for _, k := range config.Keys() {
		known[k.Env] = true
		if k.Secret {
			known[k.Env+"_FILE"] = true
		}
	}
	env := regexp.MustCompile(`-e (MAILPROC_[A-Z0-9_]+)=`)
	var seen []string
	for _, m := range env.FindAllStringSubmatch(string(readme), -1) {
		seen = append(seen, m[1])
		if !known[m[1]] {
			t.Errorf("the README passes %s to a container, which is no setting of mailproc", m[1])
		}
	}
	for _, want := range []string{"MAILPROC_IMAP_PASSWORD_FILE", "MAILPROC_DESK_HMAC_SECRET_FILE", "MAILPROC_RECORDS_ARCHIVE_MIRROR"} {
		if !slices.Contains(seen, want) {
			t.Errorf("the README's Docker commands no longer pass %s (the test expects it)", want)
		}
	}
	if !known["MAILPROC_DESK_DATA_DIR"] {
		t.Error("the image's ENV MAILPROC_DESK_DATA_DIR is no setting")
	}
}
