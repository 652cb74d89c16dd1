package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// manifest is what the test reads of a Kubernetes object.
type manifest struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Ports []struct {
			Name string `yaml:"name"`
			Port int    `yaml:"port"`
		} `yaml:"ports"`
		Template struct {
			Spec struct {
				SecurityContext struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
				} `yaml:"securityContext"`
				Containers []struct {
					Image        string   `yaml:"image"`
					Args         []string `yaml:"args"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name      string `yaml:"name"`
					ConfigMap struct {
						Name string `yaml:"name"`
					} `yaml:"configMap"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readManifests(t *testing.T, path string) map[string]manifest {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]manifest{}
	dec := yaml.NewDecoder(f)
	for {
		var m manifest
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out[m.Kind+"/"+m.Metadata.Name] = m
	}
}

// argAfter is the value after flag in args, "" without.
func argAfter(args []string, flag string) string {
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// The Kubernetes manifests fit together: the workers reach the master's
// Service on its workers' port, both read the scenario ConfigMap where
// they mount it, no pod runs as root, and llmlocust accepts the command
// lines it runs. Under a Locust master, the master's user classes are the
// scenario's.
func TestKubernetesManifests(t *testing.T) {
	cases := []struct {
		name, file string
		master     func(t *testing.T, args []string, image string)
	}{
		{name: "our master", file: "llmlocust.yaml", master: func(t *testing.T, args []string, image string) {
			if image != "llmlocust:latest" || !slices.Contains(args, "--master") {
				t.Errorf("master: image %s, args %v", image, args)
			}
			// Its web UI binds every address of the pod, so it asks for auth.
			if argAfter(args, "--web-host") != "0.0.0.0" || argAfter(args, "--web-auth") == "" {
				t.Errorf("the master's web UI: %v", args)
			}
			acceptsArgs(t, args)
		}},
		{name: "a Locust master", file: "locust-master.yaml", master: func(t *testing.T, args []string, image string) {
			if image != "locustio/locust:2.47.0" || !slices.Contains(args, "--master") {
				t.Errorf("master: image %s, args %v", image, args)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ms := readManifests(t, "../../deploy/kubernetes/"+tc.file)
			svc, master, worker := ms["Service/llmlocust-master"], ms["Deployment/llmlocust-master"], ms["Deployment/llmlocust-worker"]
			if svc.Kind == "" || master.Kind == "" || worker.Kind == "" {
				t.Fatalf("want the master's Service and Deployment and the workers' Deployment, got %v", slices.Collect(maps.Keys(ms)))
			}
			port := ""
			for _, p := range svc.Spec.Ports {
				if p.Name == "workers" {
					port = strconv.Itoa(p.Port)
				}
			}
			for _, d := range []manifest{master, worker} {
				checkPod(t, d)
			}
			mc, wc := master.Spec.Template.Spec.Containers[0], worker.Spec.Template.Spec.Containers[0]
			if argAfter(mc.Args, "--master-bind-port") != port {
				t.Errorf("the master binds %q, the Service's workers' port is %s", argAfter(mc.Args, "--master-bind-port"), port)
			}
			tc.master(t, mc.Args, mc.Image)
			if !slices.Contains(wc.Args, "--worker") || argAfter(wc.Args, "--master-host") != svc.Metadata.Name || argAfter(wc.Args, "--master-port") != port {
				t.Errorf("workers' args %v do not reach the Service %s:%s", wc.Args, svc.Metadata.Name, port)
			}
			classes := acceptsArgs(t, wc.Args)
			if tc.file == "locust-master.yaml" {
				if want := locustfileClasses(t); !slices.Equal(classes, want) {
					t.Errorf("the scenario's classes %v are not the master's locustfile's %v", classes, want)
				}
			}
		})
	}
}

// checkPod fails unless d runs one container as non-root, with -f under
// its mount of the scenario ConfigMap.
func checkPod(t *testing.T, d manifest) {
	t.Helper()
	pod := d.Spec.Template.Spec
	if !pod.SecurityContext.RunAsNonRoot {
		t.Errorf("%s runs as root", d.Metadata.Name)
	}
	if len(pod.Containers) != 1 || len(pod.Volumes) != 1 || pod.Volumes[0].ConfigMap.Name != "llmlocust-scenario" {
		t.Fatalf("%s: want one container and the scenario ConfigMap", d.Metadata.Name)
	}
	c := pod.Containers[0]
	if len(c.VolumeMounts) != 1 || !strings.HasPrefix(argAfter(c.Args, "-f"), c.VolumeMounts[0].MountPath+"/") {
		t.Errorf("%s reads -f %q outside its mount %+v", d.Metadata.Name, argAfter(c.Args, "-f"), c.VolumeMounts)
	}
}

// acceptsArgs runs llmlocust --list on a container's command line, the
// scenario the ConfigMap is made from (docs/distributed.md) in place of
// the mounted one and values in place of the environment's, and returns
// the classes it lists.
func acceptsArgs(t *testing.T, args []string) []string {
	t.Helper()
	args = slices.Clone(args)
	args[slices.Index(args, "-f")+1] = "../../scenarios/openai_chat.lua"
	for i, a := range args {
		switch a {
		case "$(LLM_HOST)":
			args[i] = "http://vllm:8000"
		case "$(WEB_AUTH)":
			args[i] = "admin:secret"
		}
	}
	r := runCLI(t, context.Background(), nil, append(args, "--list")...)
	if r.code != 0 {
		t.Fatalf("llmlocust refuses %v: %d\n%s", args, r.code, r.stderr)
	}
	return strings.Fields(r.stdout)
}

// locustfileClasses is the user classes of the Locust master's locustfile.
func locustfileClasses(t *testing.T) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(readText(t, "../../deploy/kubernetes/locustfile.py")))
	re := regexp.MustCompile(`^class (\w+)\(`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// The Dockerfile builds in stages, a static binary, and runs it as a
// user other than root; whatever it copies from the tree exists.
func TestDockerfile(t *testing.T) {
	text := readText(t, "../../Dockerfile")
	var stages, copies []string
	user := ""
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			stages = append(stages, line)
			user = ""
		case "USER":
			user = f[1]
		case "COPY":
			if !strings.HasPrefix(f[1], "--from=") {
				copies = append(copies, f[1:len(f)-1]...)
			}
		}
	}
	if len(stages) < 3 {
		t.Errorf("want a stage for the web UI, one for the binary and one to run it; got %v", stages)
	}
	if user == "" || strings.HasPrefix(user, "root") || strings.HasPrefix(user, "0") {
		t.Errorf("the last stage runs as %q", user)
	}
	if !strings.Contains(text, "CGO_ENABLED=0") {
		t.Error("the binary is not built static (CGO_ENABLED=0)")
	}
	for _, src := range copies {
		if _, err := os.Stat(filepath.Join("../..", src)); err != nil {
			t.Errorf("COPY %s: %v", src, err)
		}
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
