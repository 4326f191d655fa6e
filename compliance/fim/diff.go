package fim

// diff lists the watched attributes in which now differs from was, in
// AllAttrs order. A directory's mtime is not compared: it moves whenever
// an entry is added or removed, and that entry's own change says so.
func diff(was, now record, watch map[string]bool) []string {
	var attrs []string
	add := func(name string, differs bool) {
		if differs && watch[name] {
			attrs = append(attrs, name)
		}
	}
	bothDirs := was.Type == TypeDir && now.Type == TypeDir
	add(AttrType, was.Type != now.Type)
	add(AttrSHA256, was.SHA256 != now.SHA256)
	add(AttrSize, was.Size != now.Size)
	add(AttrMode, was.Mode != now.Mode)
	add(AttrUID, was.UID != now.UID)
	add(AttrGID, was.GID != now.GID)
	add(AttrMTime, !bothDirs && !was.MTime.Equal(now.MTime))
	add(AttrInode, was.Inode != now.Inode)
	add(AttrTarget, was.Target != now.Target)
	return attrs
}

// sameRecord reports whether a and b would be stored the same, so an
// unchanged object costs no write.
func sameRecord(a, b record) bool {
	return a.Type == b.Type && a.SHA256 == b.SHA256 && a.Size == b.Size && a.Mode == b.Mode &&
		a.UID == b.UID && a.GID == b.GID && a.MTime.Equal(b.MTime) && a.CTime.Equal(b.CTime) &&
		a.Inode == b.Inode && a.Target == b.Target
}
