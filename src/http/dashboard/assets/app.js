// policyhost dashboard: progressive enhancement only — every page works without this file.
// Copy buttons: a button with data-copy="<element id>" copies that element's text.
document.documentElement.classList.add('js')
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null
  if (!button) return
  const source = document.getElementById(button.getAttribute('data-copy') || '')
  if (!source) return
  const text = 'value' in source ? source.value : source.textContent
  try {
    await navigator.clipboard.writeText(text || '')
    button.textContent = 'Copied'
  } catch {
    // No clipboard (insecure context, permission): select the text for the user to copy.
    if ('select' in source) source.select()
    button.textContent = 'Select and copy'
  }
  setTimeout(() => (button.textContent = 'Copy'), 2000)
})
