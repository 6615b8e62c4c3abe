#!/bin/sh
# Regenerates the tpm2-tools quote vectors in this directory (run by hand;
# the tests only read the files). Needs swtpm and tpm2-tools 5.x.
#   tpm2tools_quote/     AK from tpm2_createak (ECC P-256, ECDSA-SHA256, under the
#                        ECC EK of tpm2_createek), quote from tpm2_quote
#   nonrestricted_quote/ the same PCRs quoted by a NON-restricted ECC signing key
# Files: ak.pub (TPM2B_PUBLIC), ak.name, quote.msg (TPMS_ATTEST),
# quote.sig (TPMT_SIGNATURE), quote.pcrs (SHA-256 values of PCRs 0-7,16 in
# index order, 32 bytes each), nonce.hex (the qualifying data); tpm2tools_quote/ek.pub
# is the EK's TPM2B_PUBLIC.
set -eu
OUT=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
P=${PORT:-23510}
trap 'kill $(cat $W/tpm/pid) 2>/dev/null; rm -rf $W' EXIT
mkdir $W/tpm
swtpm socket --tpm2 --tpmstate dir=$W/tpm --server type=tcp,port=$P --ctrl type=tcp,port=$((P+1)) \
  --flags not-need-init,startup-clear --pid file=$W/tpm/pid &
sleep 0.5
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$P"
flush() { tpm2_flushcontext -t; tpm2_flushcontext -l; tpm2_flushcontext -s; }
NONCE=766f7563682071756f746520766563746f72202d206e6f6e636520627974657321   # "vouch quote vector - nonce bytes!"
SEL=sha256:0,1,2,3,4,5,6,7,16
cd $W
mkdir -p $OUT/tpm2tools_quote $OUT/nonrestricted_quote
tpm2_pcrextend 16:sha256=$(printf 'vouch vector' | sha256sum | cut -d' ' -f1)

tpm2_createek -Q -c ek.ctx -G ecc -u ek.pub; flush
cp ek.pub $OUT/tpm2tools_quote/ek.pub
tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -n ak.name -r ak.priv >/dev/null; flush
tpm2_quote -c ak.ctx -l $SEL -q $NONCE -m quote.msg -s quote.sig -o quote.ser -g sha256 >/dev/null; flush
# (-F values + checkquote -l fails for 8 or more PCRs in tpm2-tools 5.4; use the serialized file)
tpm2_checkquote -u ak.pub -m quote.msg -s quote.sig -f quote.ser -g sha256 -q $NONCE >/dev/null
tpm2_pcrread $SEL -o quote.pcrs >/dev/null; flush
cp ak.pub ak.name quote.msg quote.sig quote.pcrs $OUT/tpm2tools_quote/
echo $NONCE > $OUT/tpm2tools_quote/nonce.hex

tpm2_createprimary -Q -C o -g sha256 -G ecc -c owner.ctx; flush
tpm2_create -Q -C owner.ctx -G ecc256:ecdsa-sha256:null -g sha256 \
  -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" -u nr.pub -r nr.priv; flush
tpm2_load -C owner.ctx -u nr.pub -r nr.priv -c nr.ctx -n nr.name >/dev/null; flush
tpm2_quote -c nr.ctx -l $SEL -q $NONCE -m nrq.msg -s nrq.sig -o nrq.ser -g sha256 >/dev/null; flush
tpm2_pcrread $SEL -o nrq.pcrs >/dev/null; flush
cp nr.pub $OUT/nonrestricted_quote/ak.pub; cp nr.name $OUT/nonrestricted_quote/ak.name
cp nrq.msg $OUT/nonrestricted_quote/quote.msg; cp nrq.sig $OUT/nonrestricted_quote/quote.sig
cp nrq.pcrs $OUT/nonrestricted_quote/quote.pcrs; echo $NONCE > $OUT/nonrestricted_quote/nonce.hex
echo "vectors written to $OUT"
