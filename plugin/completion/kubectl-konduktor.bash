# bash completion for kubectl-konduktor when it is run directly. (Typed
# as `kubectl konduktor …`, kubectl completes it itself, through the
# kubectl_complete-konduktor program.) Load it with
#     source <(kubectl-konduktor completion bash)
# or install it as bash-completion/completions/kubectl-konduktor.
#
# The program does the work: `kubectl-konduktor __completeNoDesc WORDS…`
# prints one candidate per line and then ":<directive>", cobra's
# ShellCompDirective bits (1 error, 2 no space, 4 no file names,
# 8 file extensions, 16 directories only, 32 keep order).

__kubectl_konduktor_complete()
{
    local cur words cword
    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        # keep "--flag=value" one word, as the program reads it
        _get_comp_words_by_ref -n =: cur words cword
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
    fi

    local out
    out=$("${words[0]}" __completeNoDesc "${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return 0

    local -a lines
    mapfile -t lines <<<"$out"
    local directive=0 n=${#lines[@]}
    if ((n)) && [[ ${lines[n-1]} == :* ]]; then
        directive=${lines[n-1]#:}
        unset 'lines[n-1]'
    fi
    [[ $directive =~ ^[0-9]+$ ]] || return 0
    ((directive & 1)) && return 0

    # A flag's value: the program answers with the value alone.
    if [[ $cur == -*=* ]]; then
        cur=${cur#*=}
    fi
    COMPREPLY=()
    if ((directive & 2)); then
        compopt -o nospace 2>/dev/null
    fi
    local line
    if ((directive & 8)); then
        compopt -o filenames 2>/dev/null
        local ext
        for ext in "${lines[@]}"; do
            while IFS= read -r line; do COMPREPLY+=("$line"); done \
                < <(compgen -f -X "!*.$ext" -- "$cur"; compgen -d -- "$cur")
        done
    elif ((directive & 16)); then
        compopt -o filenames 2>/dev/null
        if [[ -n ${lines[0]:-} ]]; then
            while IFS= read -r line; do COMPREPLY+=("$line"); done \
                < <(cd -- "${lines[0]}" 2>/dev/null && compgen -d -- "$cur")
        else
            while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -d -- "$cur")
        fi
    elif ((${#lines[@]} == 0)); then
        ((directive & 4)) && return 0
        compopt -o filenames 2>/dev/null
        while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
    else
        for line in "${lines[@]}"; do
            [[ $line == "$cur"* ]] && COMPREPLY+=("$line")
        done
        if ((directive & 32)); then
            compopt -o nosort 2>/dev/null
        fi
    fi
    return 0
}

complete -F __kubectl_konduktor_complete kubectl-konduktor
