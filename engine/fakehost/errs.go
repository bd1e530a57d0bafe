package fakehost

import "io/fs"

var fsNotExist = fs.ErrNotExist
