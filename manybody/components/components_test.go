package components

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// TestParseComponent: entries of a component list, the numbers read bit for bit as
// strconv reads them, and every malformed entry an error naming what is wrong.
func TestParseComponent(t *testing.T) {
	ok := []struct {
		name, in, label string
		energy          float64
		grad            []float64
	}{
		{"nested gradient", `{"mc": "mp2", "real": [1, 2], "basis": [1, 2, 3], "energy": -152.25, "gradient": [[0.1, -2e-7, 3], [4.5E2, 0, -0.0]]}`,
			`["mp2", [1, 2], [1, 2, 3]]`, -152.25, []float64{0.1, -2e-7, 3, 450, 0, math.Copysign(0, -1)}},
		{"flat gradient, spaces", " {\n\t\"gradient\" : [ 1 , 2 , 3 ] , \"energy\":-76.02663273509021,\"basis\":[2],\"real\":[2],\"mc\":\"hf\"}",
			`["hf", [2], [2]]`, -76.02663273509021, []float64{1, 2, 3}},
		{"escaped mc, null gradient", `{"mc": "\u006dp2", "real": [1], "basis": [1], "energy": -1e2, "gradient": null, "hessian": null}`,
			`["mp2", [1], [1]]`, -100, nil},
		{"empty arrays", `{"mc": "mp2", "real": [1], "basis": [1], "energy": 0, "gradient": []}`, `["mp2", [1], [1]]`, 0, nil},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseComponent([]byte(c.in))
			require.NoError(t, err)
			assert.Equal(t, c.label, got.label)
			require.NotNil(t, got.props.ReturnEnergy)
			assert.Equal(t, math.Float64bits(c.energy), math.Float64bits(*got.props.ReturnEnergy))
			require.Len(t, got.props.ReturnGradient, len(c.grad))
			for i := range c.grad {
				assert.Equal(t, math.Float64bits(c.grad[i]), math.Float64bits(got.props.ReturnGradient[i]), "gradient[%d]", i)
			}
		})
	}
	bad := []struct{ name, in, want string }{
		{"unknown field", `{"mc": "mp2", "real": [1], "basis": [1], "energy": -1, "gradeint": [1]}`, `unknown field "gradeint"`},
		{"member twice", `{"mc": "mp2", "real": [1], "real": [1], "basis": [1], "energy": -1}`, `member "real" given twice`},
		{"no energy", `{"mc": "mp2", "real": [1], "basis": [1]}`, "no energy"},
		{"null energy", `{"mc": "mp2", "real": [1], "basis": [1], "energy": null}`, "no energy"},
		{"no real", `{"mc": "mp2", "basis": [1], "energy": -1}`, "no real"},
		{"no basis", `{"mc": "mp2", "real": [1], "energy": -1}`, "no basis"},
		{"leading zero", `{"mc": "mp2", "real": [1], "basis": [1], "energy": -01}`, `want ',' or '}' after member "energy"`},
		{"NaN", `{"mc": "mp2", "real": [1], "basis": [1], "energy": NaN}`, "want a number, found 'N'"},
		{"out of range", `{"mc": "mp2", "real": [1], "basis": [1], "energy": 1e999}`, "number 1e999 is out of range"},
		{"string in gradient", `{"mc": "mp2", "real": [1], "basis": [1], "energy": -1, "gradient": [1, "2"]}`, "gradient: offset"},
		{"object for gradient", `{"mc": "mp2", "real": [1], "basis": [1], "energy": -1, "gradient": {"x": 1}}`, "want a number array"},
		{"trailing comma", `{"mc": "mp2", "real": [1], "basis": [1], "energy": -1, "gradient": [1, 2,]}`, "gradient: offset"},
		{"nested too deep", `{"mc": "mp2", "real": [1], "basis": [1], "energy": -1, "gradient": [[[[[[[[[[1]]]]]]]]]]}`, "nested too deep"},
		{"fractional fragment", `{"mc": "mp2", "real": [1.5], "basis": [1], "energy": -1}`, "1.5 is not an integer"},
		{"control character", "{\"mc\": \"mp\n2\", \"real\": [1], \"basis\": [1], \"energy\": -1}", "control character in string"},
		{"not an object", `[1, 2]`, "want '{'"},
		{"unterminated", `{"mc": "mp2", "real": [1`, "offset"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseComponent([]byte(c.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestParseDictEntry: a component dictionary's values, as QCManyBody's analyze takes them
// and as a ManyBodyResult's component_properties holds them.
func TestParseDictEntry(t *testing.T) {
	cases := []struct {
		name, in string
		energy   float64
		grad     int
		want     string // error
	}{
		{"energy alone", ` -76.5 `, -76.5, 0, ""},
		{"short names", `{"energy": -76.5, "gradient": [[1, 2, 3]], "hessian": null}`, -76.5, 3, ""},
		{"component properties", `{"calcinfo_natom": 3, "return_energy": -76.5, "return_gradient": [1, 2, 3], "scf_dipole_moment": [0, 0, 1], "extra": {"a": [1, "b"]}}`, -76.5, 3, ""},
		{"both names", `{"energy": -76.5, "return_gradient": [1, 2, 3]}`, 0, 0, "not both"},
		{"string", `"-76.5"`, 0, 0, "want an energy or"},
		{"no energy", `{"gradient": [1, 2, 3]}`, 0, 0, "no energy"},
		{"invalid skipped member", `{"energy": -76.5, "note": [1, 2}`, 0, 0, "offset"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := parseDictEntry([]byte(c.in))
			if c.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.energy, *p.ReturnEnergy)
			assert.Len(t, p.ReturnGradient, c.grad)
		})
	}
}

// TestParseMembersReportsTheFirstError: with bad entries in several parsing jobs, the
// error names the first in document order; text that is no JSON, at its line and column.
func TestParseMembersReportsTheFirstError(t *testing.T) {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < 1000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		e := strconv.Itoa(-i)
		if i == 130 || i == 700 {
			e = `"bad"`
		}
		b.WriteString(`{"mc": "mp2", "real": [` + strconv.Itoa(i+1) + `], "basis": [` + strconv.Itoa(i+1) + `], "energy": ` + e + `}`)
	}
	b.WriteByte(']')
	ctx := context.Background()
	var rd reader
	err := rd.parse(ctx, "list.json", []byte(b.String()))
	require.ErrorContains(t, err, "list.json: components[130]: energy")

	noJSON := strings.Replace(strings.ReplaceAll(b.String(), `"bad"`, "bad"), `"mc"`, "\n\"mc\"", 2)
	rd = reader{}
	err = rd.parse(ctx, "list.json", []byte(noJSON))
	_, col := jsontext.Position([]byte(noJSON), strings.Index(noJSON, "bad"))
	require.EqualError(t, err, fmt.Sprintf("list.json:3:%d: invalid character 'b' looking for beginning of value", col))

	fine := strings.ReplaceAll(b.String(), `"bad"`, "-1")
	rd = reader{}
	require.NoError(t, rd.parse(ctx, "list.json", []byte(fine)))
	require.Len(t, rd.props, 1000)
	assert.Equal(t, -999.0, *rd.props[`["mp2", [1000], [1000]]`].ReturnEnergy)

	err = (&reader{}).parse(ctx, "list.json", []byte(fine[:len(fine)-1]))
	require.EqualError(t, err, fmt.Sprintf("list.json:1:%d: unexpected end of JSON input", len(fine)))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, (&reader{}).parse(cancelled, "list.json", []byte(fine)), context.Canceled)
}

// FuzzParseComponents: no input makes the component reader panic, and a component list or
// dictionary it accepts is valid JSON whose energies encoding/json reads alike.
func FuzzParseComponents(f *testing.F) {
	f.Add([]byte(`[{"mc": "mp2", "real": [1], "basis": [1, 2], "energy": -76.1, "gradient": [[1, 2, 3], [4e-7, 5, 6]]}]`))
	f.Add([]byte(`{"[\"mp2\", [1], [1]]": -76.1, "[\"mp2\", [2], [2]]": {"energy": -76.2, "gradient": [1, 2, 3]}}`))
	f.Add([]byte(`{"["hf", [1], [1]]": {"return_energy": -1, "return_hessian": null, "calcinfo_natom": 1}}`))
	f.Add([]byte(`[{"mc": "a\u00e9", "real": [1], "basis": [1], "energy": 0}, {"mc": "a", "real": [2], "basis": [2], "energy": -0.0}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var set reader
		if err := set.parse(context.Background(), "fuzz.json", data); err != nil || set.props == nil {
			return
		}
		require.True(t, json.Valid(data), "accepted invalid JSON %q", data)
		var list []struct {
			Energy float64 `json:"energy"`
		}
		if json.Unmarshal(data, &list) == nil {
			sum := 0.0
			for _, c := range list {
				sum += c.Energy
			}
			got := 0.0
			for _, p := range set.props {
				got += *p.ReturnEnergy
			}
			if len(set.props) == len(list) {
				require.InDelta(t, sum, got, 1e-9*math.Max(1, math.Abs(sum)), "energies summed, against encoding/json's")
			}
		}
	})
}

// TestParseDictEntryManyMembers: an entry with a hundred thousand members passed over is
// read in linear time, and a name given twice among them is still found.
func TestParseDictEntryManyMembers(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"energy": -1`)
	for i := 0; i < 100000; i++ {
		b.WriteString(`, "m` + strconv.Itoa(i) + `": 0`)
	}
	p, err := parseDictEntry([]byte(b.String() + "}"))
	require.NoError(t, err)
	assert.Equal(t, -1.0, *p.ReturnEnergy)
	_, err = parseDictEntry([]byte(b.String() + `, "m99999": 1}`))
	require.ErrorContains(t, err, `member "m99999" given twice`)
}
