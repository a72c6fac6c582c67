import { expect, test } from '@playwright/test'
import { expectAxeClean } from './support'

test('a visitor sees the live campaigns on the home page', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add your voice')
  await expect(page.getByRole('link', { name: /Chechnya/ })).toBeVisible()
  await expectAxeClean(page)
})
