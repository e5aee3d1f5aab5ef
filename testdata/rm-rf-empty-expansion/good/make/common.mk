# Included by every service Makefile, which sets OUT_DIR before including it.
VERSION := $(shell git describe --tags --always)
STAGE   := /tmp/stage

.PHONY: clean-out
clean-out:
	rm -rf $(OUT_DIR)/*
