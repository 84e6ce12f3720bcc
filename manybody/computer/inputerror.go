package computer

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/qcmb-go/qcmb/qcschema"
)

// sameInputErrors is how many of a model chemistry's tasks must fail with the same input
// error, before any of its tasks succeeded, for a run to stop: enough that the error is
// the model chemistry's rather than one fragment's, few enough that a misspelt option
// costs seconds, not a run of failures.
const sameInputErrors = 3

// RepeatedInputError stops a run whose model chemistry's first tasks all failed with
// the same input error (paths aside): every other task would fail the same way.
type RepeatedInputError struct {
	MC    string
	Tasks int
	// Err is the first task's error.
	Err error
}

func (e *RepeatedInputError) Error() string {
	return fmt.Sprintf("model chemistry %s: its first %d tasks failed with the same input error, so the run stopped: %v",
		qcschema.Quote(e.MC), e.Tasks, e.Err)
}

func (e *RepeatedInputError) Unwrap() error { return e.Err }

// pathLike matches absolute paths (scratch directories differ from task to task).
var pathLike = regexp.MustCompile(`(^|[\s,:;'"(\[=])/[^\s,:;'"()\[\]]+`)

// inputErrorKey is what tells input errors apart: the message of err with its paths
// blanked, or "" when err is no program's input error.
func inputErrorKey(err error) string {
	var fo *qcschema.FailedOperation
	if !errors.As(err, &fo) || fo.ComputeError.ErrorType != qcschema.ErrorInput {
		return ""
	}
	return pathLike.ReplaceAllString(fo.ComputeError.ErrorMessage, "${1}PATH")
}

// inputErrors watches the first tasks of each model chemistry for a repeated input error.
type inputErrors struct {
	mcs map[string]*mcFailures
}

type mcFailures struct {
	succeeded bool // a task succeeded: failures are the tasks', not the model chemistry's
	key       string
	same      int // tasks failed with key; -1 once another outcome came first
	first     error
}

// add takes the outcome of a task of mc and returns the error that stops the run, or nil.
func (w *inputErrors) add(mc string, err error) error {
	if w.mcs == nil {
		w.mcs = map[string]*mcFailures{}
	}
	f := w.mcs[mc]
	if f == nil {
		f = &mcFailures{}
		w.mcs[mc] = f
	}
	if err == nil {
		f.succeeded = true
		return nil
	}
	if f.succeeded || f.same < 0 {
		return nil
	}
	key := inputErrorKey(err)
	switch {
	case key == "" || f.same > 0 && key != f.key:
		f.same = -1
		return nil
	case f.same == 0:
		f.key, f.first = key, err
	}
	f.same++
	if f.same == sameInputErrors {
		return &RepeatedInputError{MC: mc, Tasks: f.same, Err: f.first}
	}
	return nil
}
