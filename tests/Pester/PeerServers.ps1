# Dot-sourced by Peers.Tests.ps1: real third-party peers on loopback, all state in one temp folder.
# nginx as a TLS front with a CA made for the run (openssl), squid with basic authentication (htpasswd).
# Nothing touches the machine's trust store or configuration; every process started here is stopped by
# Stop-PeerServers. .ci/run installs the Debian packages; without them the tests say they are skipped.

function Get-MissingPeerTools {
    # The programs the TLS and proxy tests need, by the name Debian installs them under.
    $needed = [ordered]@{ nginx = 'nginx'; squid = 'squid'; htpasswd = 'apache2-utils'; openssl = 'openssl' }
    $found = @{}
    foreach ($name in $needed.Keys) {
        $command = Get-Command $name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $command) {
            foreach ($folder in '/usr/sbin', '/sbin') {
                if (Test-Path (Join-Path $folder $name)) { $command = [pscustomobject]@{ Source = Join-Path $folder $name } }
            }
        }
        if ($command) { $found[$name] = $command.Source }
    }
    $ncsa = '/usr/lib/squid/basic_ncsa_auth'
    [pscustomobject]@{
        Missing = @($needed.Keys | Where-Object { -not $found.ContainsKey($_) }) + @(if (-not (Test-Path $ncsa)) { 'basic_ncsa_auth' })
        Paths   = $found
        Ncsa    = $ncsa
    }
}

function Get-FreeLoopbackPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Wait-LoopbackPort([int] $Port, [System.Diagnostics.Process] $Process, [string] $What, [string] $Log) {
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($Process.HasExited) { throw "$What exited with code $($Process.ExitCode): $(Get-Content -Raw $Log -ErrorAction Ignore)" }
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect([System.Net.IPAddress]::Loopback, $Port); return } catch { Start-Sleep -Milliseconds 100 } finally { $client.Dispose() }
    }
    throw "$What did not listen on port $Port within 30 s: $(Get-Content -Raw $Log -ErrorAction Ignore)"
}

function Invoke-OpenSsl {
    $output = & openssl @args 2>&1
    if ($LASTEXITCODE -ne 0) { throw "openssl $($args -join ' ') failed: $($output -join "`n")" }
}

function New-PeerCertificates([string] $Directory) {
    # A throwaway CA and three server certificates it signs: a good one (localhost, 127.0.0.1, caxton.test),
    # one for another name, and one that expired. Keys never leave the temp folder.
    $ca = Join-Path $Directory 'ca'
    $null = New-Item -ItemType Directory -Path $ca, (Join-Path $ca 'issued')
    Set-Content -LiteralPath (Join-Path $ca 'index.txt') -Value $null
    Set-Content -LiteralPath (Join-Path $ca 'serial') -Value '1000'
    Set-Content -LiteralPath (Join-Path $ca 'openssl.cnf') -Value @"
[ ca ]
default_ca = peers
[ peers ]
dir = $ca
database = `$dir/index.txt
serial = `$dir/serial
new_certs_dir = `$dir/issued
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[ anything ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
"@
    Invoke-OpenSsl req -x509 -newkey rsa:2048 -nodes -keyout (Join-Path $ca 'ca.key') -out (Join-Path $ca 'ca.pem') -days 2 -subj '/CN=Caxton Peers Test CA' `
        -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'

    $issue = {
        param([string] $Name, [string] $AltNames, [string[]] $Dates)
        $key = Join-Path $Directory "$Name.key"; $csr = Join-Path $Directory "$Name.csr"; $pem = Join-Path $Directory "$Name.pem"
        Invoke-OpenSsl req -newkey rsa:2048 -nodes -keyout $key -out $csr -subj "/CN=$Name" -addext "subjectAltName=$AltNames"
        Invoke-OpenSsl ca -batch -config (Join-Path $ca 'openssl.cnf') -extensions server -cert (Join-Path $ca 'ca.pem') -keyfile (Join-Path $ca 'ca.key') `
            -in $csr -out $pem -notext @Dates
        [pscustomobject]@{ Certificate = $pem; Key = $key }
    }
    [pscustomobject]@{
        Authority = Join-Path $ca 'ca.pem'
        Good      = & $issue 'good' 'DNS:localhost,DNS:caxton.test,IP:127.0.0.1' @('-days', '2')
        OtherName = & $issue 'other' 'DNS:other.test' @('-days', '2')
        Expired   = & $issue 'expired' 'DNS:localhost,IP:127.0.0.1' @('-startdate', '20200101000000Z', '-enddate', '20210101000000Z')
    }
}

function Start-PeerNginx([string] $Directory, $Certificates, [string] $Upstream) {
    # One nginx, one process (master_process off), three TLS ports in front of the emulator: a good
    # certificate, another name's, an expired one. The good port also answers /api/moved/ with a redirect.
    $ports = [ordered]@{ Good = Get-FreeLoopbackPort; OtherName = Get-FreeLoopbackPort; Expired = Get-FreeLoopbackPort }
    $prefix = Join-Path $Directory 'nginx'
    $null = New-Item -ItemType Directory -Path $prefix
    $servers = foreach ($kind in $ports.Keys) {
        @"
    server {
        listen 127.0.0.1:$($ports[$kind]) ssl;
        ssl_certificate $($Certificates.$kind.Certificate);
        ssl_certificate_key $($Certificates.$kind.Key);
        location = /api/moved/ { return 302 https://elsewhere.example/api/moved/?access_token=peer-redirect-token; }
        location / { proxy_pass http://$Upstream; proxy_set_header Host `$proxy_host; }
    }
"@
    }
    $config = Join-Path $prefix 'nginx.conf'
    Set-Content -LiteralPath $config -Value @"
daemon off;
master_process off;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events { worker_connections 64; }
http {
    access_log $prefix/access.log;
    client_body_temp_path $prefix/body;
    proxy_temp_path $prefix/proxy;
    fastcgi_temp_path $prefix/fastcgi;
    uwsgi_temp_path $prefix/uwsgi;
    scgi_temp_path $prefix/scgi;
$($servers -join "`n")
}
"@
    $log = Join-Path $prefix 'stderr.log'
    $process = Start-Process -FilePath (Get-MissingPeerTools).Paths.nginx -ArgumentList '-p', $prefix, '-c', $config `
        -PassThru -RedirectStandardError $log -RedirectStandardOutput (Join-Path $prefix 'stdout.log')
    foreach ($port in $ports.Values) { Wait-LoopbackPort -Port $port -Process $process -What 'nginx' -Log $log }
    [pscustomobject]@{ Process = $process; Ports = $ports; Logs = @($log, (Join-Path $prefix 'error.log'), (Join-Path $prefix 'access.log')) }
}

function Start-PeerSquid([string] $Directory, [pscredential] $ProxyCredential) {
    # squid with basic authentication; caxton.test resolves to loopback in its own hosts file only, so
    # the API host is one no client treats as loopback and a proxy is really used.
    $tools = Get-MissingPeerTools
    $prefix = Join-Path $Directory 'squid'
    $null = New-Item -ItemType Directory -Path $prefix
    $port = Get-FreeLoopbackPort
    $passwd = Join-Path $prefix 'passwd'
    $output = & $tools.Paths.htpasswd -b -c $passwd $ProxyCredential.UserName $ProxyCredential.GetNetworkCredential().Password 2>&1
    if ($LASTEXITCODE -ne 0) { throw "htpasswd failed: $output" }
    Set-Content -LiteralPath (Join-Path $prefix 'hosts') -Value '127.0.0.1 caxton.test'
    $config = Join-Path $prefix 'squid.conf'
    Set-Content -LiteralPath $config -Value @"
http_port 127.0.0.1:$port
visible_hostname caxton-peers
pid_filename $prefix/squid.pid
cache_log $prefix/cache.log
access_log stdio:$prefix/access.log
logfile_rotate 0
cache deny all
cache_mem 4 MB
coredump_dir $prefix
hosts_file $prefix/hosts
dns_nameservers 127.0.0.1
shutdown_lifetime 0 seconds
auth_param basic program $($tools.Ncsa) $passwd
auth_param basic realm caxton-peers
auth_param basic children 2 startup=1 idle=1
acl authenticated proxy_auth REQUIRED
http_access allow authenticated
http_access deny all
"@
    # squid drops root for its own user, which must read the configuration and write the logs.
    if ($IsLinux -and (& id -u) -eq '0') { & chmod -R a+rwX $Directory }
    $log = Join-Path $prefix 'stderr.log'
    $process = Start-Process -FilePath $tools.Paths.squid -ArgumentList '-N', '-f', $config -PassThru `
        -RedirectStandardError $log -RedirectStandardOutput (Join-Path $prefix 'stdout.log')
    Wait-LoopbackPort -Port $port -Process $process -What 'squid' -Log $log
    [pscustomobject]@{
        Process = $process
        Uri     = [uri]"http://127.0.0.1:$port"
        Logs    = @($log, (Join-Path $prefix 'cache.log'), (Join-Path $prefix 'access.log'))
        Access  = Join-Path $prefix 'access.log'
    }
}

function Stop-PeerServer($Server) {
    if (-not $Server -or $Server.Process.HasExited) { return }
    # SIGTERM first, so squid stops its helpers; then for certain.
    if (-not $IsWindows) { & kill -TERM $Server.Process.Id 2>$null }
    if (-not $Server.Process.WaitForExit(5000)) { $Server.Process | Stop-Process -Force -ErrorAction Ignore; $null = $Server.Process.WaitForExit(5000) }
}
