# lib-sshd.sh: a private sshd on loopback, the test's "other machine",
# for GNU parallel's --sshlogin.  Source it after test-lib.sh.
#
#	sshd_start || test_skip_all "$sshd_missing"
#	ssh -F "$SSH_CONFIG" liu-loop true
#	parallel --ssh "ssh -F $SSH_CONFIG" -S liu-loop ...
#
# sshd_start makes, in the trash directory, a host key, a throwaway user
# key and an sshd_config of the test's own (a free port on 127.0.0.1,
# StrictModes and PAM off, only that key, only the current user, the
# test's PATH set for the sessions so that the liu programs are found),
# starts "sshd -D -e -f" on it, killed at the end of the script, and waits
# until a login works.  SSH_CONFIG is the client's configuration: host
# liu-loop, that key, the host key pinned, one connection shared by every
# ssh (ControlMaster; its master is killed at the end too).  Status 1 with sshd_missing
# set to the reason when it cannot (no sshd, not allowed to run it).

sshd_start () {
	sshd_missing=
	SSHD=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
	if ! test -x "$SSHD"
	then
		sshd_missing="sshd (Debian package openssh-server)"
		return 1
	fi
	for sshd_c in ssh ssh-keygen rsync python3
	do
		command -v "$sshd_c" >/dev/null 2>&1 && continue
		sshd_missing=$sshd_c
		return 1
	done
	sshd_dir=$TRASH_DIRECTORY/sshd
	mkdir -p "$sshd_dir" && chmod 700 "$sshd_dir" || return 1
	ssh-keygen -q -t ed25519 -N '' -C liu-test-host \
	    -f "$sshd_dir/host_key" &&
	ssh-keygen -q -t ed25519 -N '' -C liu-test-user \
	    -f "$sshd_dir/user_key" &&
	cp "$sshd_dir/user_key.pub" "$sshd_dir/authorized_keys" || {
		sshd_missing="ssh-keygen failed"
		return 1
	}
	# as root, sshd wants its privilege separation directory
	if test "$(id -u)" = 0 && ! test -d /run/sshd
	then
		mkdir -p /run/sshd && chmod 755 /run/sshd
	fi
	sshd_user=$(id -un)
	sshd_tries=5
	while :
	do
		SSHD_PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || return 1
		cat >"$sshd_dir/sshd_config" <<-EOF
		Port $SSHD_PORT
		ListenAddress 127.0.0.1
		HostKey $sshd_dir/host_key
		AuthorizedKeysFile $sshd_dir/authorized_keys
		PidFile $sshd_dir/sshd.pid
		StrictModes no
		UsePAM no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PubkeyAuthentication yes
		PermitRootLogin prohibit-password
		AllowUsers $sshd_user
		SetEnv "PATH=$PATH" LC_ALL=C TZ=UTC
		LogLevel ERROR
		EOF
		"$SSHD" -D -e -f "$sshd_dir/sshd_config" \
		    2>"$sshd_dir/sshd.log" &
		sshd_pid=$!
		test_kill_at_end $sshd_pid
		SSH_CONFIG=$sshd_dir/ssh_config
		cat >"$SSH_CONFIG" <<-EOF
		Host liu-loop
			HostName 127.0.0.1
			Port $SSHD_PORT
			User $sshd_user
			IdentityFile $sshd_dir/user_key
			IdentitiesOnly yes
			UserKnownHostsFile $sshd_dir/known_hosts
			GlobalKnownHostsFile /dev/null
			StrictHostKeyChecking yes
			HostKeyAlias liu-loop
			BatchMode yes
			LogLevel ERROR
			ControlMaster auto
			ControlPath $sshd_dir/cm
			ControlPersist 120
		EOF
		echo "liu-loop $(cut -d' ' -f1,2 "$sshd_dir/host_key.pub")" \
		    >"$sshd_dir/known_hosts"
		if test_wait_for "ssh -F '$SSH_CONFIG' liu-loop true ||
		    ! kill -0 $sshd_pid" 30 &&
		    ssh -F "$SSH_CONFIG" liu-loop true
		then
			# the connection's master, shared by every ssh after
			sshd_cm=$(ssh -F "$SSH_CONFIG" -O check liu-loop 2>&1 |
			    sed -n 's/.*pid=\([0-9]*\).*/\1/p')
			test -z "$sshd_cm" || test_kill_at_end $sshd_cm
			return 0
		fi
		kill $sshd_pid 2>/dev/null
		wait $sshd_pid 2>/dev/null
		sshd_tries=$((sshd_tries - 1))
		if test $sshd_tries = 0 || ! grep -q 'Address already in use' \
		    "$sshd_dir/sshd.log"
		then
			sshd_missing="a private sshd: $(tail -n 3 \
			    "$sshd_dir/sshd.log" | tr '\n' ' ')"
			return 1
		fi
	done
}
