ls -la
cd /srv/app
vim main.go
make build
