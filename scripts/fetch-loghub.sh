#!/usr/bin/env bash
# Fetches the 16 Loghub-2k datasets with the corrected ground truth (Loghub-2.0, pinned
# commit) into target/loghub-2k (or $1), checks every file's sha256, for the template miner's
# accuracy bench: `cargo bench -p healdeck-engine --bench patterns`.
#
# The data is not part of healdeck: it is "freely available for research or academic work";
# using it means citing Loghub (Zhu et al., ISSRE 2023; Jiang et al., ISSTA 2024) and keeping
# its notice (LICENSE.txt, fetched too) with every copy.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-target/loghub-2k}"
COMMIT=8046b1406c27cb8b43692691659c6d519ba86551
BASE="https://raw.githubusercontent.com/logpai/loghub-2.0/$COMMIT"
mkdir -p "$OUT"
fetch() { # repository path, local path
  mkdir -p "$(dirname "$OUT/$2")"
  curl -fsSL --retry 3 -o "$OUT/$2" "$BASE/$1"
}
[ -f "$OUT/LICENSE.txt" ] || fetch 2k_dataset/LICENSE.txt LICENSE.txt
while read -r sum file; do
  d="${file%%/*}"
  case "$d" in
    Android|Windows) src="benchmark/LogPPT/logs/$file" ;;
    *) src="2k_dataset/$file" ;;
  esac
  if [ -f "$OUT/$file" ] && echo "$sum  $OUT/$file" | sha256sum -c --quiet - 2>/dev/null; then
    continue
  fi
  fetch "$src" "$file"
  echo "$sum  $OUT/$file" | sha256sum -c --quiet - || { echo "checksum mismatch: $file" >&2; exit 1; }
done <<'SUMS'
47641549915e662ff590291df266a45f635eedca7c5f1b41a4fa853fe5d2f409  Android/Android_2k.log
d2d04c5140ddd1f5bd4b0e55bd8b2bcb567a88955fb36d0da5440b7a0b84215c  Android/Android_2k.log_structured_corrected.csv
0e51c532c9b82b49234f5691ed96d7b584eaeef9f35839b9c365769a80294705  Apache/Apache_2k.log
cf14ee33db62dd6c9ef2a8c53746a9805ab94fdafb12728067d18d1e706142a5  Apache/Apache_2k.log_structured_corrected.csv
5adca4dadb7cf162bf220e4f0605faa2fdcfd8645c7547d2cf312dac3d42fee7  BGL/BGL_2k.log
4fc16cd4c0be63e94126e62656d5f4d653dc893ad1d774534cee8d30c419712c  BGL/BGL_2k.log_structured_corrected.csv
6fe25449e79d75e35bb223ead9729fa02c00b7abb23e4e8ec0f3bb2addec6e3a  HDFS/HDFS_2k.log
509f684dd67df0c6088d4ab6ee853b4692635149bb92805c73779b6bcf9cab7f  HDFS/HDFS_2k.log_structured_corrected.csv
531ff6f67fc9c1228f1f004e3a1b529f395cca8bae5d3b36a2cb5beb226d2386  HPC/HPC_2k.log
9ec54444c96ec050b4da64ca9b57db87c5d023262500451d5f54730e955486cf  HPC/HPC_2k.log_structured_corrected.csv
dc0e343fc230bce6fd8be4c0cbb05cfaecdaf5fdcf88e029b584f0346fb60312  Hadoop/Hadoop_2k.log
e0ed6dd6ca732d65f479b7a5184f7f3545a3fadb0e516db5ecdf8c770c7f059b  Hadoop/Hadoop_2k.log_structured_corrected.csv
205728b6583de25cf9d9a9fd15366591a6b79b634679cd04ec8e6531127e6d06  HealthApp/HealthApp_2k.log
7286b39d78df76a78fbeb0e7a34a90960fec13adaa52cb3287227dbd8b0b8581  HealthApp/HealthApp_2k.log_structured_corrected.csv
6d50cefa82380651f910df35fda0995a237a3c788b7b2e3d2d37e51fb9debca9  Linux/Linux_2k.log
fcfbc63a1f280a45199448642211ee81adab65e7901521fdbb185ebed1ba692c  Linux/Linux_2k.log_structured_corrected.csv
46944eb852979f1c6311742cd53e8a0abd19f7583e35c9f5eabe37470ca58fc1  Mac/Mac_2k.log
79d304a41ec046056b2e715853ece182441111a835ce7c345323492d90587487  Mac/Mac_2k.log_structured_corrected.csv
16da02f37eb00cec9ec65c4d71175897be45b266aa7d6e01b26186678e2288b8  OpenSSH/OpenSSH_2k.log
c2d0f5f538125fed320486fed4f7256ce84ecf0d1174f93cbc2cdb1e5a4c183d  OpenSSH/OpenSSH_2k.log_structured_corrected.csv
6ea7e03648d7bd6231cae427cb509073a9fbc71f49ded5301673495902edab17  OpenStack/OpenStack_2k.log
121c9211cff977f6f35c496c23b485cdeae34a9bf391173eaafa0b9acbf2f4b4  OpenStack/OpenStack_2k.log_structured_corrected.csv
94b6a9d98d76e7ad7841ed10caa463cd4e638a229b92a220a2bf1707552adbb9  Proxifier/Proxifier_2k.log
1c7fe4e59ec97dcbf468ce1f1db38dc52739e9627f79b096089fc2505b9f6e5c  Proxifier/Proxifier_2k.log_structured_corrected.csv
87e9715f97f193135d807226b0949c129035df0842cc141f48332fa712eaf81b  Spark/Spark_2k.log
793cb5a1c23b1fab03e3d7b09d0d2f61995d736c63b92ae194599f20f426fb5f  Spark/Spark_2k.log_structured_corrected.csv
e92e8a6af2a545067ea34b5cd97c05eb27c8274053f7fc22e34c15dc80309bb0  Thunderbird/Thunderbird_2k.log
3458f9d5b04d7e0f1f1e4677a71291008dd7e92c5c9e78c90b733dfdb1c97231  Thunderbird/Thunderbird_2k.log_structured_corrected.csv
2f7677ba753b9af3abf5cbaa7279c133120544cddb9d09d6700a044c886e114e  Windows/Windows_2k.log
16831e2f899a624565521b128d2793893f9ea9c3f1d194868efd28c6583fb245  Windows/Windows_2k.log_structured_corrected.csv
ca38c8b373c693760a86dea60ad73ea69cee2c260576f8bb329a1b1e068c2949  Zookeeper/Zookeeper_2k.log
099a7a6d941846f958fe5287ff14968d9fa874f09c7d133a0aae29200dc34d61  Zookeeper/Zookeeper_2k.log_structured_corrected.csv
SUMS
echo "Loghub-2k (corrected) in $OUT: 16 datasets"
