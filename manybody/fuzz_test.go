package manybody

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

func FuzzParseLabel(f *testing.F) {
	for _, s := range []string{`["mp2", [1], [1, 2]]`, `§a_(1)@(1, 2)`, `["a",[2],[1]]`, `[`, `(1)@()`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		task, err := ParseLabel(s)
		if err != nil {
			return
		}
		back, err := ParseLabel(task.Label())
		require.NoError(t, err, "label %s of %q does not parse", task.Label(), s)
		require.Equal(t, task.Label(), back.Label(), "round trip")
	})
}

// FuzzNewCore feeds arbitrary keywords to NewCore, Plan and Analyze: errors are fine,
// panics are not.
func FuzzNewCore(f *testing.F) {
	f.Add(uint8(3), uint8(7), uint8(3), uint8(1), false, true, uint8(0))
	f.Add(uint8(4), uint8(2), uint8(4), uint8(2), true, false, uint8(1))
	f.Add(uint8(5), uint8(1), uint8(2), uint8(3), false, false, uint8(2))
	f.Fuzz(func(t *testing.T, nfr, btMask, maxNB, nmc uint8, ssio, rtd bool, ss uint8) {
		n := int(nfr%6) + 1
		mol := waterCluster(n)
		var bt []qcschema.BsseType
		for i, b := range []qcschema.BsseType{"nocp", "cp", "vmfc", "bogus"} {
			if btMask&(1<<i) != 0 {
				bt = append(bt, b)
			}
		}
		levels := map[int]string{}
		for k := 1; k <= int(maxNB%8); k++ {
			levels[k] = string(rune('a' + (k-1)*int(nmc%4+1)/int(maxNB%8+1)))
		}
		kw := Keywords{BsseType: bt, Levels: levels, ReturnTotalData: rtd, SupersystemIEOnly: ssio}
		if ss%3 == 1 {
			kw.Supersystem = "z"
		} else if ss%3 == 2 {
			kw.Supersystem = "a"
		}
		c, err := NewCore(mol, kw)
		if err != nil {
			return
		}
		p := c.Plan()
		comps := randomComponents(c, true, false, 1)
		_, err = c.Analyze(comps)
		require.NoError(t, err, "Analyze of full components")
		for _, task := range p.Tasks {
			_, err := c.Molecule(task)
			require.NoError(t, err, "task %s", task.Label())
		}
	})
}
