package translate

// IsObject reports whether b is one valid JSON object nested at most
// [MaxDepth] deep, without copying it (gjson.ParseBytes(b).IsObject()
// copies b to a string to look at its first byte). Unlike [CheckObject],
// it allows a key twice.
func IsObject(b []byte) bool {
	return startsObject(b) && Valid(b)
}
