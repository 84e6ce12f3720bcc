package procid_test

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/procid"
)

// TestState: this process runs; an ended one is gone, also when its pid names another
// process now (another start time) or the machine rebooted (another boot); a process of
// another host is unknown.
func TestState(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process identities are complete on Linux")
	}
	self := procid.Self()
	assert.Equal(t, procid.Running, self.State())
	assert.NotEmpty(t, self.Start)
	assert.NotEmpty(t, self.Boot)

	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	child := procid.Of(cmd.Process.Pid)
	require.NoError(t, cmd.Wait())
	assert.Equal(t, procid.Gone, child.State(), "ended and reaped")

	reused := self
	reused.Start = "1"
	assert.Equal(t, procid.Gone, reused.State(), "the pid names a process started at another time")
	rebooted := self
	rebooted.Boot = "00000000-0000-0000-0000-000000000000"
	assert.Equal(t, procid.Gone, rebooted.State(), "another boot")
	elsewhere := self
	elsewhere.Host += ".elsewhere"
	assert.Equal(t, procid.Unknown, elsewhere.State(), "another host")
	host, _ := os.Hostname()
	assert.Equal(t, host+"/"+strconv.Itoa(os.Getpid()), self.String())
}

// TestZombie: a child that has exited and not been reaped is gone.
func TestZombie(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("zombies are told on Linux")
	}
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	child := procid.Of(cmd.Process.Pid)
	for deadline := time.Now().Add(5 * time.Second); child.State() != procid.Gone && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // until "true" has exited
	}
	assert.Equal(t, procid.Gone, child.State(), "exited, not yet waited for")
	require.NoError(t, cmd.Wait())
}
