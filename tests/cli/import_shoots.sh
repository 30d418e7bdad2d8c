#!/usr/bin/env bash
# import-shoots over a studio CD: one folder per class, a nested folder,
# files that are not photos, a link to a folder, hidden Mac files, a tree
# too deep; every file not imported is named with why.
. "$(dirname "$0")/lib.bash"
cd "$T"
synth_photos import_shoots
ok=synth/grace_hopper-ok-blue.jpg

school_and_site 20
sno() { sed -n "$1p" r.csv | cut -d, -f1; }  # 学号 of row N
idn() { sed -n "$1p" r.csv | cut -d, -f6; }  # ID number of row N
name() { sed -n "$1p" r.csv | cut -d, -f2; }

# the CD: each photo a distinct file (one file binds one student)
deep=cd/deep/$(seq -s/ 2 16)
mkdir -p cd/class1/retakes cd/class2 "$deep/17"
convert "$ok" -quality 90 "cd/$(idn 2).jpg"
convert "$ok" -quality 91 "cd/class1/$(sno 3).jpg"
convert "$ok" -quality 92 "cd/class1/$(idn 4).jpg"
convert "$ok" -quality 93 "cd/class1/retakes/$(idn 5).JPG"
convert "$ok" -quality 94 "cd/class2/$(sno 6).jpeg"
convert "$ok" -quality 95 "$deep/$(sno 7).jpg"
convert "$ok" -quality 89 "$deep/17/$(sno 8).jpg"
echo "class list" >cd/class2/readme.txt
ln -s class1 cd/linked
echo x >cd/.DS_Store
echo x >"cd/class2/._$(sno 6).jpeg"

# --- --no-recursive: the top folder only, each subfolder named
expect 3 "$G" import-shoots --home s --kind individual --no-recursive cd
has out "$(idn 2).jpg: stored capture"
has out "class1: skipped: a folder (use --recursive)"
has out "class2: skipped: a folder (use --recursive)"
has out "deep: skipped: a folder (use --recursive)"
has out "linked: skipped: a symbolic link (not followed)"
has out "cd: 1 photos: 1 stored, 0 refused; 4 files skipped, 1 hidden ignored"
if grep -q "DS_Store\|readme" "$T/out"; then fail "hidden or nested files listed"; fi

# --- by default every subfolder is walked, in sorted order; links are not
expect 3 "$G" import-shoots --home s --kind individual --json cd
json "[x['source'] for x in j]==sorted(x['source'] for x in j) and len(j)==11"
for f in "class1/$(sno 3).jpg" "class1/$(idn 4).jpg" \
	"class1/retakes/$(idn 5).JPG" "class2/$(sno 6).jpeg" \
	"${deep#cd/}/$(sno 7).jpg"; do
	json "[x for x in j if x['source']=='$f'][0]['stored']"
done
json "sum(1 for x in j if x['stored'])==5"
# the student comes from the base name, whatever the folder
json "[x for x in j if x['source']=='class1/retakes/$(idn 5).JPG'][0]['name']=='$(name 5)'"
json "[x for x in j if x['source']=='class1/$(sno 3).jpg'][0]['name']=='$(name 3)'"
# the top photo was stored by the first run
json "'already has' in [x for x in j if x['source']=='$(idn 2).jpg'][0]['refused']"
json "[x for x in j if x['source']=='class2/readme.txt'][0]['skipped']=='not a JPEG name (.jpg/.jpeg)'"
json "[x for x in j if x['source']=='linked'][0]['skipped']=='a symbolic link (not followed)'"
json "'more than 16 levels' in [x for x in j if x['source']=='${deep#cd/}/17'][0]['skipped']"
json "not any(x['source'].startswith('linked/') for x in j)"
json "sorted(x['source'] for x in j if x.get('hidden'))==['.DS_Store','class2/._$(sno 6).jpeg']"
json "all(not x['stored'] and x['skipped'].startswith('hidden') for x in j if x.get('hidden'))"
expect 0 "$G" log --home s --json
json "sum(1 for e in j if e['kind']=='CAPTURE' and e['body']['bind']=='filename')==6"

# --- text: one line per skipped file, the summary counts them
expect 3 "$G" import-shoots --home s --kind individual cd
has out "class2/readme.txt: skipped: not a JPEG name (.jpg/.jpeg)"
has out "linked: skipped: a symbolic link (not followed)"
has out "${deep#cd/}/17: skipped: a folder more than 16 levels down"
has out "class1/retakes/$(idn 5).JPG: REFUSED, nothing stored:"
has out "cd: 6 photos: 0 stored, 6 refused; 3 files skipped, 2 hidden ignored"
if grep -q "DS_Store" "$T/out"; then fail "a hidden file listed in text mode"; fi

# --- all imported: exit 0, hidden files do not count
mkdir -p clean/a
convert "$ok" -quality 88 "clean/a/$(sno 9).jpg"
echo x >clean/a/.DS_Store
expect 0 "$G" import-shoots --home s --kind makeup clean
has out "clean: 1 photos: 1 stored, 0 refused; 0 files skipped, 1 hidden ignored"

# --- no photos anywhere: the clear error, nothing opened
mkdir -p empty/sub
echo x >empty/notes.txt
echo x >empty/sub/list.csv
expect 1 "$G" import-shoots --home s --kind individual empty
has err "empty: no .jpg files in it or its subfolders"
mkdir -p top-empty/class1
convert "$ok" -quality 87 "top-empty/class1/$(sno 10).jpg"
expect 1 "$G" import-shoots --home s --kind individual --no-recursive top-empty
has err "--no-recursive leaves its 1 subfolder unread"
expect 1 "$G" import-shoots --home s --kind individual missing-dir
has err "missing-dir: No such file or directory"

# --- a folder that cannot be read is named with the reason
if [ "$(id -u)" != 0 ]; then
	mkdir -p locked/shut
	convert "$ok" -quality 86 "locked/$(sno 11).jpg"
	chmod 000 locked/shut
	expect 3 "$G" import-shoots --home s --kind individual locked
	chmod 755 locked/shut
	has out "shut: skipped: Permission denied"
	has out "locked: 1 photos: 1 stored, 0 refused; 1 files skipped"
fi
expect 0 "$G" session status --home s --json
json "not j['open']"
expect 0 "$G" log verify --home s

echo "import_shoots: $checks passed, 0 failed"
