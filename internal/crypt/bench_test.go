package crypt_test

import (
	"testing"

	"github.com/corridor-platform/corridor/internal/crypt"
)

var field64 = []byte("Amina Diallo, born 1994-03-12 in Kayes, Mali; passport AB1234567")

func BenchmarkEncrypt64(b *testing.B) {
	k := newKeyring(b)
	aad := crypt.AAD("persons", "name", "123456")
	b.SetBytes(int64(len(field64)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Encrypt(field64, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt64(b *testing.B) {
	k := newKeyring(b)
	aad := crypt.AAD("persons", "name", "123456")
	env, err := k.Encrypt(field64, aad)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(field64)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Decrypt(env, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptString64(b *testing.B) {
	k := newKeyring(b)
	aad := crypt.AAD("persons", "name", "123456")
	s := string(field64)
	b.SetBytes(int64(len(field64)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.EncryptString(s, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptString64(b *testing.B) {
	k := newKeyring(b)
	aad := crypt.AAD("persons", "name", "123456")
	s, err := k.EncryptString(string(field64), aad)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(field64)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.DecryptString(s, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	k := newKeyring(b)
	b.ReportAllocs()
	for b.Loop() {
		k.BlindIndex("persons.name", "José  Pérez Núñez")
	}
}

func BenchmarkBlindIndexNumber(b *testing.B) {
	k := newKeyring(b)
	b.ReportAllocs()
	for b.Loop() {
		k.BlindIndexNumber("persons.document", "AB-12.345 6")
	}
}

func BenchmarkNormalizeForIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		crypt.NormalizeForIndex("José  Pérez Núñez")
	}
}
