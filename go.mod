module github.com/qcmb-go/qcmb

go 1.26
