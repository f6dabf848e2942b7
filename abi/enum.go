package abi

import "fmt"

// The enums of this package travel as small unsigned integers and read as
// snake_case names in JSON and text. Their lists are append-only: never
// reorder, remove or reuse an item; add new items at the end only.

func enumName[E ~uint8](names []string, e E) string {
	if int(e) < len(names) {
		return names[e]
	}
	return fmt.Sprintf("%d", uint8(e))
}

func parseEnum[E ~uint8](names []string, kind, s string) (E, error) {
	for i, n := range names {
		if n == s {
			return E(i), nil
		}
	}
	return 0, fmt.Errorf("abi: unknown %s %q", kind, s)
}
