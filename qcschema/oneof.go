package qcschema

import (
	"bytes"
	"encoding/json"
)

// marshalOneOf writes whichever member of an atomic-or-many-body union is set (null if
// neither is): the MarshalJSON of every such union in the optimization schemas.
func marshalOneOf[A, M any](atomic *A, manyBody *M) ([]byte, error) {
	switch {
	case manyBody != nil:
		return json.Marshal(manyBody)
	case atomic != nil:
		return json.Marshal(atomic)
	}
	return []byte("null"), nil
}

// specificationHead is what tells an atomic specification from a many-body one.
type specificationHead struct {
	SchemaName    string          `json:"schema_name"`
	Specification json.RawMessage `json:"specification"`
	Keywords      struct {
		BsseType json.RawMessage `json:"bsse_type"`
	} `json:"keywords"`
}

// readSpecificationHead reads the head of a specification; null says the document is
// JSON null (no specification, and no error).
func readSpecificationHead(data []byte) (head specificationHead, null bool, err error) {
	if string(bytes.TrimSpace(data)) == "null" {
		return head, true, nil
	}
	err = json.Unmarshal(data, &head)
	return head, false, err
}

// looksManyBody says whether a specification without a schema_name is a many-body one:
// it has model chemistries under "specification" or a bsse_type, as in QCManyBody's
// discriminated unions.
func (h specificationHead) looksManyBody() bool {
	return len(h.Specification) > 0 || h.Keywords.BsseType != nil
}
