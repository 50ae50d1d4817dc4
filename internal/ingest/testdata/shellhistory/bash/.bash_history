#1795300000
echo day one
#1795300060
for f in *.go; do
  wc -l "$f"
done
#1795391999
make test
#1795392000
git commit -m "café"
#1795395600
export TOKEN=hunter2
