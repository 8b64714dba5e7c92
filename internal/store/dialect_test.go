package store

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct{ in, pg string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"x LIKE '?' AND y = ?", "x LIKE '?' AND y = $1"},
		{"ESCAPE '\\' OR c = ?", "ESCAPE '\\' OR c = $1"},
	}
	for _, tt := range tests {
		if got := postgresDialect.rebind(tt.in); got != tt.pg {
			t.Errorf("postgres rebind(%q) = %q, want %q", tt.in, got, tt.pg)
		}
		if got := sqliteDialect.rebind(tt.in); got != tt.in {
			t.Errorf("sqlite rebind(%q) = %q, want it unchanged", tt.in, got)
		}
	}
}
