#!/usr/bin/env bash
# Installs the external quantum chemistry programs that engine/psi4, engine/xtb and
# engine/qcengine drive, from Debian's packages: psi4 (1.3.2 on bookworm), xtb (6.5.1) and
# python3-qcengine (for /usr/bin/python3), python3-qcelemental (0.25.1), whose models judge
# the results qcmb writes (TestQCElementalAcceptsResults), and chromium, in which the tests
# of the run report open the HTML page headless. Idempotent: packages already installed are left
# as they are and apt-get update runs only when something is missing. Fails if a package
# cannot be installed (CI must run these programs' tests), then prints the versions found.
set -euo pipefail

packages=(psi4 xtb python3-qcengine python3-qcelemental chromium)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} > 0)); then
	echo "install-programs: installing ${missing[*]}"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
	echo "install-programs: ${packages[*]} already installed"
fi

echo "install-programs: versions"
echo "  psi4     $(psi4 --version 2>/dev/null | tail -n 1)"
echo "  xtb      $(xtb --version 2>/dev/null | grep -o 'xtb version [^ ]*' | head -n 1)"
echo "  qcengine $(/usr/bin/python3 -c 'import qcengine; print(qcengine.__version__)' 2>/dev/null)"
echo "  qcelemental $(/usr/bin/python3 -c 'import qcelemental; print(qcelemental.__version__)' 2>/dev/null)"
echo "  chromium $(chromium --version 2>/dev/null)"
