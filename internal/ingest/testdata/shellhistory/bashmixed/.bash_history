ls -la
cd /srv
#1795391999
make test
vim notes.txt
#1795392000
git push
