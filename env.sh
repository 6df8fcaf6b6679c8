# source this: the helper's Python, var dir and PostGIS URL
source /work/main/.venv/bin/activate
export PYTHONPATH=/work/wt/adm23/src
export ISEK_MODE=demo ISEK_VAR_DIR=/work/wt/adm23/var/test DJANGO_ALLOW_ASYNC_UNSAFE=true ISEK_DATA_DIRS=/work/shared/data
export PG=postgis://postgres@127.0.0.1:54330/isek_h26
cd /work/wt/adm23
