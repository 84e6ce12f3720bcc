package qcschema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mbDoc builds a small v1 ManyBodyInput, each argument inserted as extra members of the
// top level, the specification, its keywords, the model chemistry "scf" and the molecule.
func mbDoc(top, spec, kw, atomic, mol string) string {
	return `{"schema_name":"qcschema_manybodyinput","schema_version":1` + top +
		`,"specification":{"driver":"energy"` + spec +
		`,"keywords":{"bsse_type":["cp"]` + kw + `}` +
		`,"specification":{"scf":{"program":"hf","driver":"energy","model":{"method":"hf","basis":"sto-3g"}` + atomic + `}}}` +
		`,"molecule":{"symbols":["He","He"],"geometry":[0,0,0,0,0,5],"fragments":[[0],[1]]` + mol + `}}`
}

func TestStrictManyBodyInput(t *testing.T) {
	long := strings.Repeat("x", 500)
	cases := []struct {
		name string
		doc  string
		want string // the error message; "" means the input is accepted
	}{
		{"valid", mbDoc("", "", "", "", ""), ""},
		{"keyword typo", mbDoc("", "", `,"bsse_typo":"nocp"`, "", ""),
			`qcschema: specification.keywords.bsse_typo: unknown field (did you mean "bsse_type"?)`},
		{"keyword wrong case", mbDoc("", "", `,"MAX_NBODY":1`, "", ""),
			`qcschema: specification.keywords.MAX_NBODY: unknown field (did you mean "max_nbody"?)`},
		{"keyword transposition", mbDoc("", "", `,"retrun_total_data":true`, "", ""),
			`qcschema: specification.keywords.retrun_total_data: unknown field (did you mean "return_total_data"?)`},
		{"keyword far from any", mbDoc("", "", `,"frobnicate":true`, "", ""),
			`qcschema: specification.keywords.frobnicate: unknown field`},
		{"screening keyword", mbDoc("", "", `,"screening":{"metric":"centroid","cutoffs":{"2":6.5},"units":"angstrom"}`, "", ""), ""},
		{"energy screening", mbDoc("", "", `,"screening":{"energy":{"thresholds":{"3":3e-4},"units":"hartree","estimator":"scf"}}`, "", ""), ""},
		{"screening typo", mbDoc("", "", `,"screening":{"metric":"centroid","cutoff":{"2":6.5}}`, "", ""),
			`qcschema: specification.keywords.screening.cutoff: unknown field (did you mean "cutoffs"?)`},
		{"energy screening typo", mbDoc("", "", `,"screening":{"energy":{"threshold":{"3":3e-4}}}`, "", ""),
			`qcschema: specification.keywords.screening.energy.threshold: unknown field (did you mean "thresholds"?)`},
		{"specification typo", mbDoc("", `,"drvier":"energy"`, "", "", ""),
			`qcschema: specification.drvier: unknown field (did you mean "driver"?)`},
		{"v2 protocol name in v1", mbDoc("", `,"protocols":{"cluster_results":"all"}`, "", "", ""),
			`qcschema: specification.protocols.cluster_results: unknown field (did you mean "component_results"?)`},
		{"atomic specification typo", mbDoc("", "", "", `,"keyword":{}`, ""),
			`qcschema: specification.specification.scf.keyword: unknown field (did you mean "keywords"?)`},
		{"molecule typo", mbDoc("", "", "", "", `,"fragment_charge":[0,0]`),
			`qcschema: molecule.fragment_charge: unknown field (did you mean "fragment_charges"?)`},
		{"atomic protocols", mbDoc("", "", "", `,"protocols":{"stdout":false,"native_files":"none","wavefunction":"none","error_correction":{"default_policy":true}}`, ""), ""},
		{"atomic protocols typo", mbDoc("", "", "", `,"protocols":{"stdot":false}`, ""),
			`qcschema: specification.specification.scf.protocols.stdot: unknown field (did you mean "stdout"?)`},
		{"molecule identifiers typo", mbDoc("", "", "", "", `,"identifiers":{"smile":"[He]"}`),
			`qcschema: molecule.identifiers.smile: unknown field (did you mean "smiles"?)`},
		{"molecule id (QCElemental has it)", mbDoc("", "", "", "", `,"id":"abc"`), ""},
		{"molecule field QCElemental rejects", mbDoc("", "", "", "", `,"units":"bohr"`),
			`qcschema: molecule.units: unknown field`},
		{"top-level typo", mbDoc(`,"extra":{}`, "", "", "", ""),
			`qcschema: extra: unknown field (did you mean "extras"?)`},
		{"duplicate keyword", mbDoc("", "", `,"bsse_type":"nocp"`, "", ""),
			`qcschema: specification.keywords.bsse_type: duplicate key`},
		{"duplicate top level", mbDoc(`,"schema_version":1`, "", "", "", ""),
			`qcschema: schema_version: duplicate key`},
		{"duplicate inside free-form extras", mbDoc("", "", "", `,"extras":{"a":[{"b":1,"b":2}]}`, ""),
			`qcschema: specification.specification.scf.extras.a[0].b: duplicate key`},
		{"escaped duplicate", mbDoc("", "", `,"max_nbody":1,"max\u005fnbody":2`, "", ""),
			`qcschema: specification.keywords.max_nbody: duplicate key`},
		{"model chemistry name quoted", strings.Replace(mbDoc("", "", "", `,"modle":1`, ""), `"scf"`, `"my mc"`, 1),
			`qcschema: specification.specification["my mc"].modle: unknown field (did you mean "model"?)`},
		{"long unknown key is cut short", mbDoc("", "", `,"`+long+`":1`, "", ""),
			`qcschema: specification.keywords["` + strings.Repeat("x", 39) + `…"]: unknown field`},
		{"wrong schema_name", strings.Replace(mbDoc("", "", "", "", ""), "qcschema_manybodyinput", "qcschema_manybody_input", 1),
			`qcschema: invalid schema_name: "qcschema_manybody_input": want "qcschema_manybodyinput"; ` + v2Hint},
		{"wrong schema_version", strings.Replace(mbDoc("", "", "", "", ""), `"schema_version":1`, `"schema_version":7`, 1),
			`qcschema: invalid schema_version: 7: want 1`},
		{"v2 keywords schema name in v1", mbDoc("", "", `,"schema_name":"qcschema_many_body_keywords"`, "", ""),
			`qcschema: invalid specification.keywords.schema_name: "qcschema_many_body_keywords": want "qcschema_manybodykeywords"; ` + v2Hint},
		{"atomic specification schema name", mbDoc("", "", "", `,"schema_name":"qcschema_input"`, ""),
			`qcschema: invalid specification.specification.scf.schema_name: "qcschema_input": want "qcschema_atomicspecification"; QCSchema v2 names it qcschema_atomic_specification`},
		{"molecule schema_version", mbDoc("", "", "", "", `,"schema_version":9`),
			`qcschema: invalid molecule.schema_version: 9: want 2`},
		{"an AtomicInput", `{"schema_name":"qcschema_input","schema_version":1,"driver":"energy","model":{"method":"hf"},"molecule":{"symbols":["He"],"geometry":[0,0,0]}}`,
			`qcschema: invalid schema_name: "qcschema_input": want "qcschema_manybodyinput"; that is an AtomicInput, a single point (qcmb compute runs it)`},
		{"a v2 input read as v1", strings.Replace(strings.Replace(mbDoc("", "", "", "", ""), "qcschema_manybodyinput", "qcschema_many_body_input", 1), `"schema_version":1`, `"schema_version":2`, 1),
			`qcschema: invalid schema_name: "qcschema_many_body_input": want "qcschema_manybodyinput"; "qcschema_many_body_input" is QCSchema v2: read it with ManyBodyInputV2`},
		{"long schema_name is cut short", strings.Replace(mbDoc("", "", "", "", ""), "qcschema_manybodyinput", long, 1),
			`qcschema: invalid schema_name: "` + strings.Repeat("x", 39) + `…": want "qcschema_manybodyinput"; ` + v2Hint},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in ManyBodyInput
			err := json.Unmarshal([]byte(c.doc), &in)
			if c.want == "" {
				require.NoError(t, err, "rejected")
				assert.Equal(t, BsseCP, in.Specification.Keywords.BsseType[0], "decoded %+v", in)
				assert.Equal(t, 2, in.Molecule.NAtom(), "decoded %+v", in)
				return
			}
			require.Error(t, err, "accepted; want %s", c.want)
			assert.EqualError(t, err, c.want)
			assert.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func TestStrictErrorTypes(t *testing.T) {
	var in ManyBodyInput
	err := json.Unmarshal([]byte(mbDoc("", "", `,"bsse_typo":"nocp"`, "", "")), &in)
	var uf *UnknownFieldError
	if assert.ErrorAs(t, err, &uf) {
		assert.Equal(t, "specification.keywords.bsse_typo", uf.Path)
		assert.Equal(t, "bsse_type", uf.Suggestion)
	}
	err = json.Unmarshal([]byte(mbDoc("", "", `,"bsse_type":"nocp"`, "", "")), &in)
	var dup *DuplicateFieldError
	if assert.ErrorAs(t, err, &dup) {
		assert.Equal(t, "specification.keywords.bsse_type", dup.Path)
	}
}

// A specification given as one AtomicSpecification is the model chemistry "(auto)", as
// QCManyBody's validator makes it; its members are checked all the same.
func TestSingleAtomicSpecificationIsAuto(t *testing.T) {
	single := `{"specification":{"driver":"energy","keywords":{"bsse_type":"nocp"},` +
		`"specification":{"program":"hf","driver":"energy","model":{"method":"hf","basis":"sto-3g"}%s}},` +
		`"molecule":{"symbols":["He","He"],"geometry":[0,0,0,0,0,5],"fragments":[[0],[1]]}}`
	var in ManyBodyInput
	require.NoError(t, json.Unmarshal([]byte(strings.Replace(single, "%s", "", 1)), &in))
	spec, ok := in.Specification.Specification[AutoMC]
	assert.Len(t, in.Specification.Specification, 1, "specification %+v", in.Specification.Specification)
	assert.True(t, ok, "specification %+v", in.Specification.Specification)
	assert.Equal(t, "hf", spec.Program)
	assert.Equal(t, "sto-3g", spec.Model.Basis)
	err := json.Unmarshal([]byte(strings.Replace(single, "%s", `,"protocol":{}`, 1)), &in)
	assert.EqualError(t, err, `qcschema: specification.specification.protocol: unknown field (did you mean "protocols"?)`)
}

func TestStrictAtomicInput(t *testing.T) {
	mol := `"molecule":{"symbols":["He"],"geometry":[0,0,0]}`
	cases := []struct {
		name, doc, want string
	}{
		{"v1", `{"schema_name":"qcschema_input","schema_version":1,"driver":"energy","model":{"method":"hf"},` + mol + `}`, ""},
		{"v1 typo", `{"driver":"energy","modle":{"method":"hf"},` + mol + `}`,
			`qcschema: modle: unknown field (did you mean "model"?)`},
		{"v2", `{"schema_name":"qcschema_atomic_input","schema_version":2,"specification":{"driver":"energy","model":{"method":"hf"}},` + mol + `}`, ""},
		{"v2 typo", `{"specification":{"driver":"energy","model":{"method":"hf"},"keywrods":{}},` + mol + `}`,
			`qcschema: specification.keywrods: unknown field (did you mean "keywords"?)`},
		{"v2 with v1 version", `{"schema_name":"qcschema_atomic_input","schema_version":1,"specification":{"driver":"energy","model":{"method":"hf"}},` + mol + `}`,
			`qcschema: invalid schema_version: 1: want 2`},
		{"many-body input", `{"schema_name":"qcschema_manybodyinput","driver":"energy","model":{"method":"hf"},` + mol + `}`,
			`qcschema: invalid schema_name: "qcschema_manybodyinput": want "qcschema_input"`},
		{"duplicate", `{"driver":"energy","driver":"gradient","model":{"method":"hf"},` + mol + `}`,
			`qcschema: driver: duplicate key`},
		{"molecule typo", `{"driver":"energy","model":{"method":"hf"},"molecule":{"symbols":["He"],"geom":[0,0,0]}}`,
			`qcschema: molecule.geom: unknown field`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in AtomicInput
			err := json.Unmarshal([]byte(c.doc), &in)
			if c.want != "" {
				assert.EqualError(t, err, c.want)
				return
			}
			require.NoError(t, err, "rejected")
			assert.Equal(t, DriverEnergy, in.Driver, "decoded %+v", in)
			assert.Equal(t, "hf", in.Model.Method, "decoded %+v", in)
		})
	}
}

// Malformed JSON is reported by encoding/json as before, never as a member error.
func TestStrictLeavesSyntaxToDecoder(t *testing.T) {
	for _, doc := range []string{`{"specification":`, `{"a" 1}`, `[1,2`, `{"molecule":{"symbols":["He"]}`} {
		var in ManyBodyInput
		err := json.Unmarshal([]byte(doc), &in)
		var syn *json.SyntaxError
		assert.ErrorAs(t, err, &syn, doc)
	}
}

func TestSuggest(t *testing.T) {
	known := map[string]*shape{"bsse_type": anyShape, "max_nbody": anyShape, "levels": anyShape, "return_total_data": anyShape}
	for name, want := range map[string]string{
		"bsse_typo": "bsse_type", "bssetype": "bsse_type", "level": "levels", "max_nbdoy": "max_nbody",
		"lvl": "", "x": "", "return_total": "", "BSSE_TYPE": "bsse_type",
	} {
		assert.Equal(t, want, suggest(name, known), "suggest(%q)", name)
	}
}
