import { expect, test, type Page } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { confirmationLink, e2eDb, expectAxeClean, mailboxFor, signaturesOf } from './support'

const russian = {
  title: 'Свободу правозащитникам',
  summary: 'Призовите власти действовать немедленно.',
  demand: 'Освободите всех задержанных правозащитников.',
  target_name: 'Министр юстиции',
}

async function translatedCampaign() {
  return await createCampaign(e2eDb(), { translations: { ru: { ...russian, title: `${russian.title} ${Date.now()}` } } })
}

const languageNav = (page: Page) => page.getByRole('navigation', { name: /^(Language|Язык)$/ })

async function expectRussianSignForm(page: Page) {
  await expect(page.getByRole('heading', { level: 2, name: 'Подпишите петицию' })).toBeVisible()
  await expect(page.getByLabel('Полное имя')).toBeVisible()
  await expect(page.getByLabel('Адрес электронной почты')).toBeVisible()
  await expect(page.getByLabel('Страна', { exact: true })).toBeVisible()
  await expect(page.getByLabel('Почтовый индекс (необязательно)')).toBeVisible()
  await expect(page.getByLabel('Сообщайте мне новости об этой кампании')).toBeVisible()
  await expect(page.getByLabel('Показывать на этой странице моё имя (без фамилии) и страну')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Подписать петицию' })).toBeVisible()
  await expect(page.getByLabel('Страна', { exact: true }).locator('option[value="GB"]')).toHaveText('Великобритания')
  await expect(page.getByLabel('Страна', { exact: true }).locator('option[value=""]')).toHaveText('Выберите страну')
}

test('the home page reads in Russian with ?lang=ru', async ({ page }) => {
  // The home page lists the newest live campaigns: a fresh one, so the other stories' campaigns
  // never push it off the list.
  const campaign = await translatedCampaign()
  await page.goto('/?lang=ru')
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Добавьте свой голос')
  await expect(page.getByRole('link', { name: /^Свободу правозащитникам \d+$/ }).first()).toBeVisible()
  await expect(page.getByRole('link', { name: campaign.title })).toHaveCount(0)
  await expect(languageNav(page).getByRole('link', { name: 'English' })).toHaveAttribute('href', '/?lang=en')
  await expect(languageNav(page).getByText('Русский')).toHaveAttribute('aria-current', 'true')
  await expectAxeClean(page)
})

test('a visitor switches to Russian and back with the language links', async ({ page }) => {
  const campaign = await translatedCampaign()
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)

  await languageNav(page).getByRole('link', { name: 'Русский' }).click()
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}\\?lang=ru$`))
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Свободу правозащитникам/)
  await expectRussianSignForm(page)

  // The choice is remembered on the pages that follow, without ?lang.
  await page.getByRole('link', { name: 'Chorus' }).click()
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Добавьте свой голос')
  await page.goto('/')
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Добавьте свой голос')

  await languageNav(page).getByRole('link', { name: 'English' }).click()
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add your voice')
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)
  await expect(page.getByRole('button', { name: 'Sign the petition' })).toBeVisible()
})

test('a campaign with a Russian translation reads in Russian, form and all', async ({ page }) => {
  const campaign = await translatedCampaign()
  await page.goto(`/campaigns/${campaign.slug}?lang=ru`)
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Свободу правозащитникам \d+$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveAttribute('lang', 'ru')
  await expect(page.getByText(russian.demand)).toBeVisible()
  await expect(page.getByText(russian.target_name)).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Мы призываем' })).toBeVisible()
  await expect(page.locator('#campaign-progress-label')).toContainText('0 подписей из 100')
  await expect(page.getByText(campaign.demand)).toHaveCount(0)
  await expectRussianSignForm(page)
  await expectAxeClean(page)

  // Errors are Russian too.
  await page.getByRole('button', { name: 'Подписать петицию' }).click()
  await expect(page.getByRole('alert')).toContainText('Проверьте форму')
  await expect(page.locator('.field-error')).toHaveText(['Введите полное имя', 'Введите адрес электронной почты', 'Выберите страну из списка'])
  await expectAxeClean(page)
})

test('an untranslated campaign keeps its English text, marked as English, in the Russian page', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  await page.goto(`/campaigns/${campaign.slug}?lang=ru`)
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)
  await expect(page.getByRole('heading', { level: 1 })).toHaveAttribute('lang', 'en')
  await expectRussianSignForm(page)
  await expectAxeClean(page)
})

test('a Russian reader signs and confirms in Russian', async ({ page }) => {
  const campaign = await translatedCampaign()
  const email = uniqueEmail('ru')
  await page.goto(`/campaigns/${campaign.slug}?lang=ru`)
  await page.getByLabel('Полное имя').fill('Анна Политковская')
  await page.getByLabel('Адрес электронной почты').fill(email)
  await page.getByLabel('Страна', { exact: true }).selectOption('RU')
  await page.getByRole('button', { name: 'Подписать петицию' }).click()

  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/check-your-email`))
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Проверьте почту')
  await expectAxeClean(page)
  expect(await signaturesOf(campaign.id)).toEqual([expect.objectContaining({ locale: 'ru', full_name: 'Анна Политковская', country: 'RU' })])

  const ruTitle = (await e2eDb().selectFrom('campaign_translations').select('title').where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow()).title
  const emails = await mailboxFor(page, email, /^Подтвердите свою подпись/)
  await expect(emails.first().getByRole('heading', { level: 2 })).toHaveText(`Подтвердите свою подпись под петицией «${ruTitle}»`)
  const link = await confirmationLink(page, email, 1, { subject: /^Подтвердите/, button: 'Подтвердить мою подпись', lang: 'ru' })

  await page.goto(link)
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Подтвердите свою подпись')
  await expectAxeClean(page)
  await page.getByRole('button', { name: 'Подтвердить мою подпись' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Спасибо за вашу подпись')
  await expect(page.getByRole('heading', { level: 2, name: 'Поделитесь этой петицией' })).toBeVisible()
  await expectAxeClean(page)
  const thanks = await mailboxFor(page, email, /^Спасибо, что подписали/)
  await expect(thanks.first().getByRole('heading', { level: 2 })).toHaveText(`Спасибо, что подписали петицию «${ruTitle}»`)
})

test('a long Russian page arrives without stray NUL bytes from the streaming renderer', async ({ page }) => {
  // The seeded flagship in Russian runs to tens of kilobytes of Cyrillic (story, timeline):
  // React 18 alone leaves NUL bytes at its 2 KB buffer boundaries on this page.
  const response = await page.request.get('/campaigns/chechnya-investigate-now?lang=ru')
  expect(response.status()).toBe(200)
  const body = await response.body()
  expect(body.length).toBeGreaterThan(20_000)
  expect(body.includes(0)).toBe(false)
  await page.goto('/campaigns/chechnya-investigate-now?lang=ru')
  await expect(page.getByText('Пожалуйста, расскажите о петиции ещё одному человеку сегодня.')).toBeVisible()
})
