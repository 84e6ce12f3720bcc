package executor

import (
	"os"

	"github.com/qcmb-go/qcmb/internal/proctoken"
)

// WorkerTokenEnv marks every process of one worker of the Subprocess executor: the worker
// and everything it starts inherit it, so that what a worker killed outright left running
// (a program's child in a session of its own) is found and killed when the worker is gone.
const WorkerTokenEnv = "QCMB_WORKER_TOKEN"

// workerLife is what a worker process on this machine is given to be cleaned after: a
// scratch directory of its own as its TMPDIR (where its programs' scratch directories go)
// and a token marking its processes.
type workerLife struct {
	scratch string
	token   string
}

func newWorkerLife() (*workerLife, error) {
	dir, err := os.MkdirTemp("", "qcmb-worker-")
	if err != nil {
		return nil, err
	}
	return &workerLife{scratch: dir, token: proctoken.New()}, nil
}

// env is the worker's environment: base (nil: this process's) with its TMPDIR and token.
func (l *workerLife) env(base []string) []string {
	if base == nil {
		base = os.Environ()
	}
	return append(base[:len(base):len(base)], "TMPDIR="+l.scratch, proctoken.Mark(WorkerTokenEnv, l.token))
}

// end kills what is left of the worker's processes and removes its scratch directory,
// once the worker itself has exited.
func (l *workerLife) end() {
	if l == nil {
		return
	}
	proctoken.Kill(WorkerTokenEnv, l.token)
	_ = os.RemoveAll(l.scratch)
}
